import type { z } from 'zod';
import { CsvSyntaxError, parseCsv } from './csv';
import type { Inconsistency, ReferenceProblem } from './problems';

export interface TableRow<T> {
  /** 1-based physical line of the row in its file. */
  readonly line: number;
  readonly value: T;
}

export interface Table<T> {
  readonly file: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly rows: readonly TableRow<T>[];
  /** Column name → 1-based column number, for problems found after parsing. */
  readonly columns: ReadonlyMap<string, number>;
  /** Rows left out because they failed validation (already reported). */
  readonly rejected: number;
}

/** True when every row of the table was read, so checks that need all of its rows are meaningful. */
export function isComplete<T>(table: Table<T> | undefined): table is Table<T> {
  return table !== undefined && table.rejected === 0;
}

/** Collects hard problems and warnings while the files are read, so all of them are reported at once. */
export class Findings {
  readonly problems: ReferenceProblem[] = [];
  readonly inconsistencies: Inconsistency[] = [];

  problem(problem: ReferenceProblem): void {
    this.problems.push(problem);
  }

  warn(inconsistency: Inconsistency): void {
    this.inconsistencies.push(inconsistency);
  }
}

type RowSchema = z.ZodObject<z.ZodRawShape>;

/**
 * Parses one CSV file and validates every row with a zod object schema whose keys are the column
 * names. Cells are trimmed first. Returns undefined (after recording why) when the file cannot be read
 * as a table at all; rows that fail validation are recorded and left out.
 */
export function readTable<S extends RowSchema>(
  file: string,
  text: string,
  schema: S,
  findings: Findings,
): Table<z.output<S>> | undefined {
  let document;
  try {
    document = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    findings.problem({
      file,
      line: error.line,
      column: error.column,
      rule: error.rule,
      message: error.detail,
    });
    return undefined;
  }

  const header = document.header.fields.map((name) => name.trim());
  const columns = new Map<string, number>();
  let headerOk = true;
  header.forEach((name, index) => {
    // Spreadsheets leave unnamed trailing columns behind; they carry nothing and are skipped.
    if (name === '') return;
    if (columns.has(name)) {
      findings.problem({
        file,
        line: document.header.line,
        column: index + 1,
        field: name,
        rule: 'unique-column',
        message: `column "${name}" appears twice in the header`,
      });
      headerOk = false;
    }
    columns.set(name, index + 1);
  });
  for (const [name, fieldSchema] of Object.entries(schema.shape)) {
    const optional = (fieldSchema as z.ZodType).safeParse(undefined).success;
    if (!optional && !columns.has(name)) {
      findings.problem({
        file,
        line: document.header.line,
        field: name,
        rule: 'required-column',
        message: `the header lacks the required column "${name}"`,
      });
      headerOk = false;
    }
  }
  for (const [name, column] of columns) {
    if (!(name in schema.shape)) {
      findings.warn({
        code: 'csv.unknown-column',
        file,
        line: document.header.line,
        message: `column ${column} "${name}" is not used by the loader and is ignored`,
      });
    }
  }
  if (!headerOk) return undefined;

  const rows: TableRow<z.output<S>>[] = [];
  let rejected = 0;
  for (const record of document.records) {
    const extra = record.fields.slice(header.length);
    if (extra.some((cell) => cell.trim() !== '')) {
      findings.problem({
        file,
        line: record.line,
        column: header.length + 1,
        rule: 'field-count',
        message: `the row has ${record.fields.length} fields but the header has ${header.length}`,
      });
      rejected += 1;
      continue;
    }
    const raw: Record<string, string> = {};
    header.forEach((name, index) => {
      if (name !== '') raw[name] = (record.fields[index] ?? '').trim();
    });
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const name = String(issue.path[0] ?? '');
        findings.problem({
          file,
          line: record.line,
          column: columns.get(name),
          field: name || undefined,
          rule: issue.code,
          message: `${issue.message} (got "${raw[name] ?? ''}")`,
        });
      }
      rejected += 1;
      continue;
    }
    rows.push({ line: record.line, value: parsed.data });
  }
  return { file, metadata: document.metadata, rows, columns, rejected };
}
