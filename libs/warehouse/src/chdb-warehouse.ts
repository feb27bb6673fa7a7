import * as path from 'node:path';

import { drainPending, Session } from 'chdb';
import type { z } from 'zod';

import { classifyWarehouseError, WarehouseConfigError } from './warehouse-errors';
import {
  assertRawOutputFormat,
  assertSingleStatement,
  assertTableIdentifier,
  describeSql,
  parseRows,
  WAREHOUSE_SETTINGS,
  type JsonRow,
  type QueryParams,
  type RawOutputFormat,
  type Warehouse,
} from './warehouse.port';

// libchdb binds one data directory per process. chdb itself refuses a second directory, but only
// with an engine message; this registry gives the reason and names both directories.
let openDataDir: string | undefined;
let openCount = 0;

function toJsonEachRow(rows: readonly JsonRow[]): Buffer {
  return Buffer.from(rows.map((row) => JSON.stringify(row)).join('\n') + '\n', 'utf8');
}

/**
 * The embedded ClickHouse engine (chdb) on a data directory. Uses only chdb's async entry points
 * (they run on the libuv pool), so long queries do not block the event loop. Inserts return after the
 * part is written; durability comes from the tables' fsync settings (see migrations/0001).
 */
export class ChdbWarehouse implements Warehouse {
  readonly kind = 'chdb' as const;
  readonly dataDir: string;
  private session: Session | undefined;

  constructor(dataDir: string) {
    const resolved = path.resolve(dataDir);
    if (openDataDir !== undefined && openDataDir !== resolved) {
      throw new WarehouseConfigError(
        `chdb holds one data directory per process: ${openDataDir} is open, cannot also open ${resolved}. ` +
          'Close the other ChdbWarehouse first, or reach that store through the process that owns it.',
      );
    }
    const connectionArgs = Object.entries(WAREHOUSE_SETTINGS).map(([name, value]) => `--${name}=${value}`);
    // Load table metadata before the first query instead of lazily in the background.
    connectionArgs.push('--async_load_databases=0');
    try {
      this.session = new Session(resolved, { connectionArgs });
    } catch (error) {
      throw classifyWarehouseError(error, `chdb: cannot open data directory ${resolved}`);
    }
    this.dataDir = resolved;
    openDataDir = resolved;
    openCount += 1;
  }

  private openSession(): Session {
    if (!this.session) throw new WarehouseConfigError(`ChdbWarehouse(${this.dataDir}) is closed`);
    return this.session;
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    await this.run(sql, params, 'Null');
  }

  async query<T = Record<string, unknown>>(
    sql: string,
    params?: QueryParams,
    schema?: z.ZodType<T>,
  ): Promise<T[]> {
    const text = await this.run(sql, params, 'JSONEachRow');
    const rows =
      text.length === 0
        ? []
        : text
            .trimEnd()
            .split('\n')
            .map((line) => JSON.parse(line) as unknown);
    return parseRows(rows, schema, sql);
  }

  async queryBytes(sql: string, format: RawOutputFormat, params?: QueryParams): Promise<Buffer> {
    const session = this.openSession();
    assertSingleStatement(sql);
    const opts = { format: assertRawOutputFormat(format) };
    try {
      const result =
        params && Object.keys(params).length > 0
          ? await session.queryBindAsync(sql, params, opts)
          : await session.queryAsync(sql, opts);
      // Copy: the result's buffer belongs to the native side.
      return Buffer.from(result.bytes());
    } catch (error) {
      throw classifyWarehouseError(error, `chdb: ${describeSql(sql)}`);
    }
  }

  async insertJsonEachRow(table: string, rows: readonly JsonRow[]): Promise<void> {
    if (rows.length === 0) return;
    const session = this.openSession();
    try {
      await session.insert({
        table: assertTableIdentifier(table),
        values: toJsonEachRow(rows),
        format: 'JSONEachRow',
      });
    } catch (error) {
      throw classifyWarehouseError(error, `chdb: insert of ${rows.length} rows into ${table} failed`);
    }
  }

  async close(): Promise<void> {
    if (!this.session) return;
    this.session.close();
    this.session = undefined;
    // close() defers the native teardown behind running operations; wait for it so that another
    // directory can be opened afterwards.
    await drainPending();
    openCount -= 1;
    if (openCount === 0) openDataDir = undefined;
  }

  private async run(sql: string, params: QueryParams | undefined, format: string): Promise<string> {
    const session = this.openSession();
    assertSingleStatement(sql);
    try {
      const result =
        params && Object.keys(params).length > 0
          ? await session.queryBindAsync(sql, params, { format })
          : await session.queryAsync(sql, { format });
      return result.text();
    } catch (error) {
      throw classifyWarehouseError(error, `chdb: ${describeSql(sql)}`);
    }
  }
}
