import { splitSqlStatements } from './sql-split';

describe('splitSqlStatements', () => {
  it('splits at top-level semicolons and trims', () => {
    expect(splitSqlStatements('CREATE TABLE a (x UInt8) ENGINE=Memory;\n\n SELECT 1 ;')).toEqual([
      'CREATE TABLE a (x UInt8) ENGINE=Memory',
      'SELECT 1',
    ]);
  });

  it('keeps semicolons inside quotes, escaped quotes and identifiers', () => {
    const script = `SELECT 'a;b', 'it''s;', 'back\\';slash', "col;1", \`t;2\`; SELECT 2`;
    expect(splitSqlStatements(script)).toEqual([
      `SELECT 'a;b', 'it''s;', 'back\\';slash', "col;1", \`t;2\``,
      'SELECT 2',
    ]);
  });

  it('keeps semicolons inside comments and drops comment-only pieces', () => {
    const script = `-- header; not a statement\nSELECT 1 /* a; b */;\n# hash; comment\n-- trailing;\n`;
    expect(splitSqlStatements(script)).toEqual(['-- header; not a statement\nSELECT 1 /* a; b */']);
  });

  it('returns a last statement without a semicolon', () => {
    expect(splitSqlStatements('SELECT 1; SELECT 2')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('rejects unterminated quotes and comments', () => {
    expect(() => splitSqlStatements("SELECT 'abc")).toThrow(/Unterminated ' quote/);
    expect(() => splitSqlStatements('SELECT 1 /* open')).toThrow(/Unterminated block comment/);
  });
});
