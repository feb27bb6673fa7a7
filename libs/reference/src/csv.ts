/**
 * A small RFC 4180 reader for the reference files, written by hand to avoid a dependency. It keeps the
 * physical line of every record so that validation errors can point a clerk at the exact cell.
 *
 * Beyond RFC 4180: a UTF-8 byte-order mark is skipped (Excel writes one), CRLF and LF both end a
 * record, blank lines are skipped, and a record whose first field starts with `#` is a comment.
 * Comments of the form `# key=value` become file metadata (e.g. `# status=illustrative`).
 */

export interface CsvRecord {
  /** 1-based physical line on which the record starts. */
  readonly line: number;
  readonly fields: readonly string[];
}

export interface CsvDocument {
  readonly metadata: Readonly<Record<string, string>>;
  /** Header names; `line` is the header's physical line. */
  readonly header: CsvRecord;
  readonly records: readonly CsvRecord[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly rule: string,
    readonly detail: string,
  ) {
    super(`line ${line}, column ${column}: ${detail}`);
    this.name = 'CsvSyntaxError';
  }
}

const METADATA = /^#\s*([a-z][a-z0-9_]*)\s*=\s*(.*)$/;

/** Splits text into records. Fields are returned raw (not trimmed). */
export function tokenizeCsv(text: string): CsvRecord[] {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let fieldColumn = 1;
  let fieldStartLine = 1;
  let quoted = false;
  let afterQuote = false;
  let i = 0;

  const endField = (): void => {
    fields.push(field);
    field = '';
    afterQuote = false;
  };
  const endRecord = (): void => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
  };

  while (i < source.length) {
    const ch = source[i];
    if (quoted) {
      if (ch === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        afterQuote = true;
        i += 1;
        continue;
      }
      if (ch === '\n') line += 1;
      field += ch;
      i += 1;
      continue;
    }
    if (ch === '#' && fields.length === 0 && field === '' && !afterQuote) {
      // A comment line is taken raw to its end, so quotes inside comments need no escaping.
      let end = source.indexOf('\n', i);
      if (end === -1) end = source.length;
      field = source.slice(i, end).replace(/\r$/, '');
      i = end;
      continue;
    }
    if (ch === ',') {
      endField();
      fieldColumn = fields.length + 1;
      i += 1;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && source[i + 1] === '\n' ? 2 : 1;
      line += 1;
      recordLine = line;
      fieldColumn = 1;
      continue;
    }
    if (afterQuote) {
      // A field that spans lines and then breaks usually means a stray opening quote: point at it.
      const detail =
        fieldStartLine === line
          ? 'unexpected character after a closing quote'
          : `the quoted field opened here runs to line ${line} and is followed by more text (a stray quote?)`;
      throw new CsvSyntaxError(fieldStartLine, fieldColumn, 'csv-quote', detail);
    }
    if (ch === '"') {
      if (field !== '') {
        throw new CsvSyntaxError(line, fieldColumn, 'csv-quote', 'a quote may only open a field');
      }
      quoted = true;
      fieldStartLine = line;
      i += 1;
      continue;
    }
    field += ch;
    i += 1;
  }
  if (quoted) {
    throw new CsvSyntaxError(fieldStartLine, fieldColumn, 'csv-quote', 'quoted field is never closed');
  }
  if (field !== '' || fields.length > 0 || afterQuote) endRecord();
  return records;
}

/** Tokenizes, separates comments and metadata, and returns the header plus data records. */
export function parseCsv(text: string): CsvDocument {
  const metadata: Record<string, string> = {};
  let header: CsvRecord | undefined;
  const records: CsvRecord[] = [];
  for (const record of tokenizeCsv(text)) {
    const first = record.fields[0]?.trim() ?? '';
    if (first.startsWith('#')) {
      // Excel pads comment rows with empty fields and may split them at commas; rejoin the text.
      const comment = record.fields.join(',').replace(/,+$/, '').trim();
      const match = METADATA.exec(comment);
      if (match && header === undefined) metadata[match[1]] = match[2].trim();
      continue;
    }
    if (header === undefined) header = record;
    else records.push(record);
  }
  if (header === undefined) throw new CsvSyntaxError(1, 1, 'csv-header', 'the file has no header row');
  return { metadata, header, records };
}
