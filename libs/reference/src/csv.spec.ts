import { CsvSyntaxError, parseCsv, tokenizeCsv } from './csv';

function syntaxError(text: string): CsvSyntaxError {
  try {
    tokenizeCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return error;
    throw error;
  }
  throw new Error('expected a CsvSyntaxError');
}

describe('tokenizeCsv', () => {
  it('splits plain fields and keeps empty ones', () => {
    expect(tokenizeCsv('a,b,,d\n1,,3,\n')).toEqual([
      { line: 1, fields: ['a', 'b', '', 'd'] },
      { line: 2, fields: ['1', '', '3', ''] },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, keeping physical line numbers', () => {
    const records = tokenizeCsv('id,text\n1,"a, ""b"""\n2,"two\nlines"\n3,x');
    expect(records).toEqual([
      { line: 1, fields: ['id', 'text'] },
      { line: 2, fields: ['1', 'a, "b"'] },
      { line: 3, fields: ['2', 'two\nlines'] },
      { line: 5, fields: ['3', 'x'] },
    ]);
  });

  it('accepts CRLF, a byte-order mark, blank lines and a missing final newline', () => {
    expect(tokenizeCsv('\uFEFFa,b\r\n\r\n1,2')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['1', '2'] },
    ]);
  });

  it('keeps an empty quoted last field', () => {
    expect(tokenizeCsv('a,""\n')).toEqual([{ line: 1, fields: ['a', ''] }]);
  });

  it('reports an unclosed quote at the line and column where it opened', () => {
    const error = syntaxError('a,b\n1,"open\n2,3\n');
    expect(error).toMatchObject({ line: 2, column: 2, rule: 'csv-quote' });
  });

  it('reports text after a closing quote', () => {
    expect(syntaxError('a,b,c\n1,"x"y,3\n')).toMatchObject({ line: 2, column: 2, rule: 'csv-quote' });
  });

  it('reports a quote in the middle of an unquoted field', () => {
    expect(syntaxError('a,b\n1,2"\n')).toMatchObject({ line: 2, column: 2, rule: 'csv-quote' });
  });
});

describe('parseCsv', () => {
  it('separates comments and key=value metadata from the header and the rows', () => {
    const document = parseCsv(
      [
        '# status=illustrative',
        '# a comment with "quotes", and commas',
        '"# source=census 2020, 九龙坡",,',
        'id,name,n',
        '# a commented-out row',
        'T01,金凤镇,1',
      ].join('\n'),
    );
    expect(document.metadata).toEqual({ status: 'illustrative', source: 'census 2020, 九龙坡' });
    expect(document.header).toEqual({ line: 4, fields: ['id', 'name', 'n'] });
    expect(document.records).toEqual([{ line: 6, fields: ['T01', '金凤镇', '1'] }]);
  });

  it('rejects a file without a header', () => {
    expect(() => parseCsv('# only a comment\n')).toThrow(CsvSyntaxError);
  });
});
