/**
 * Splits a SQL script into single statements at top-level semicolons. Semicolons inside
 * '...' and "..." and `...` quotes (with backslash or doubled-quote escapes), -- and # line comments,
 * and /* *\/ block comments do not split. Comment-only pieces are dropped. chdb and the HTTP interface
 * each run one statement per call, so migrations go through this.
 */
export function splitSqlStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let hasCode = false;
  let index = 0;
  const flush = (): void => {
    if (hasCode) statements.push(current.trim());
    current = '';
    hasCode = false;
  };
  while (index < script.length) {
    const char = script[index];
    const next = script[index + 1];
    if (char === "'" || char === '"' || char === '`') {
      const end = endOfQuoted(script, index, char);
      current += script.slice(index, end);
      hasCode = true;
      index = end;
    } else if ((char === '-' && next === '-') || char === '#') {
      const newline = script.indexOf('\n', index);
      const end = newline === -1 ? script.length : newline;
      current += script.slice(index, end);
      index = end;
    } else if (char === '/' && next === '*') {
      const close = script.indexOf('*/', index + 2);
      if (close === -1) throw new SyntaxError(`Unterminated block comment at offset ${index}`);
      current += script.slice(index, close + 2);
      index = close + 2;
    } else if (char === ';') {
      flush();
      index += 1;
    } else {
      if (!/\s/.test(char)) hasCode = true;
      current += char;
      index += 1;
    }
  }
  flush();
  return statements;
}

function endOfQuoted(script: string, start: number, quote: string): number {
  let index = start + 1;
  while (index < script.length) {
    const char = script[index];
    if (char === '\\') {
      index += 2;
    } else if (char === quote) {
      if (script[index + 1] === quote) {
        index += 2;
      } else {
        return index + 1;
      }
    } else {
      index += 1;
    }
  }
  throw new SyntaxError(`Unterminated ${quote} quote starting at offset ${start}`);
}
