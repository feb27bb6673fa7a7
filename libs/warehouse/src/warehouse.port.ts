import type { z } from 'zod';

import { splitSqlStatements } from './sql-split';
import { WarehouseQueryError } from './warehouse-errors';

/** A value bound to a `{name:Type}` placeholder; the engine parses it as the declared Type. */
export type QueryParamValue =
  string | number | bigint | boolean | null | readonly string[] | readonly number[] | readonly bigint[];

export type QueryParams = Readonly<Record<string, QueryParamValue>>;

/** Rows for a JSONEachRow insert: one JSON object per row, keys are column names. */
export type JsonRow = Readonly<Record<string, unknown>>;

/**
 * The warehouse port. Both adapters run the same SQL; values always travel as bound
 * `{name:Type}` parameters, never spliced into the SQL text. Every failure is thrown as a
 * WarehouseError subclass (see warehouse-errors.ts).
 */
export interface Warehouse {
  /** Which adapter this is, for logs and health output. */
  readonly kind: 'chdb' | 'clickhouse-server';
  /** One statement that returns no rows (DDL, INSERT ... SELECT). */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** One SELECT; rows come back as JSONEachRow objects, validated by `schema` when given. */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams, schema?: z.ZodType<T>): Promise<T[]>;
  /**
   * One SELECT whose result comes back as the engine wrote it in `format` (e.g. Parquet, CSVWithNames):
   * the bytes are not parsed, so binary formats survive. `format` is checked against RAW_OUTPUT_FORMATS.
   */
  queryBytes(sql: string, format: RawOutputFormat, params?: QueryParams): Promise<Buffer>;
  /** Inserts all rows in one INSERT (atomic per block); resolves after the engine acknowledged the write. */
  insertJsonEachRow(table: string, rows: readonly JsonRow[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Session settings both adapters apply, so the same SQL behaves the same on chdb and on a server
 * (chdb's defaults differ from a server's for several of these).
 */
export const WAREHOUSE_SETTINGS = {
  // Inserts are synchronous: the call returns once the part is written (and fsynced, see 0001).
  // The sink batches by itself; server-side async buffering would acknowledge before the data is durable.
  async_insert: 0,
  // 64-bit integers (count(), offsets) are JSON strings, as on a server by default: no silent precision loss.
  output_format_json_quote_64bit_integers: 1,
  // Accept ISO 8601 as well as 'YYYY-MM-DD hh:mm:ss.ffffff' for DateTime64 inputs.
  date_time_input_format: 'best_effort',
  // A row with a column the table does not have is an error, not silently dropped data.
  input_format_skip_unknown_fields: 0,
} as const;

/** Output formats queryBytes accepts (a whitelist: the name is passed to the engine as is). */
export const RAW_OUTPUT_FORMATS = [
  'Parquet',
  'CSVWithNames',
  'CSV',
  'TabSeparatedWithNames',
  'JSONEachRow',
] as const;
export type RawOutputFormat = (typeof RAW_OUTPUT_FORMATS)[number];

export function assertRawOutputFormat(format: string): RawOutputFormat {
  if (!(RAW_OUTPUT_FORMATS as readonly string[]).includes(format))
    throw new WarehouseQueryError(`Unsupported raw output format: ${JSON.stringify(format)}`);
  return format as RawOutputFormat;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Table names cannot be bound as parameters; they are checked against a strict whitelist instead. */
export function assertTableIdentifier(table: string): string {
  if (!IDENTIFIER.test(table))
    throw new WarehouseQueryError(`Invalid table identifier: ${JSON.stringify(table)}`);
  return table;
}

export function parseRows<T>(rows: unknown[], schema: z.ZodType<T> | undefined, sql: string): T[] {
  if (!schema) return rows as T[];
  return rows.map((row, index) => {
    const result = schema.safeParse(row);
    if (!result.success) {
      throw new WarehouseQueryError(
        `Row ${index} of query does not match its schema: ${result.error.message}\n${sql}`,
      );
    }
    return result.data;
  });
}

/** Both adapters take exactly one statement per call (the HTTP interface cannot run more). */
export function assertSingleStatement(sql: string): string {
  const statements = splitSqlStatements(sql);
  if (statements.length !== 1) {
    throw new WarehouseQueryError(
      `Expected exactly one SQL statement, got ${statements.length}; use splitSqlStatements for scripts`,
    );
  }
  return sql;
}

export function describeSql(sql: string): string {
  const oneLine = sql.replace(/\s+/g, ' ').trim();
  return oneLine.length > 160 ? `${oneLine.slice(0, 160)}…` : oneLine;
}
