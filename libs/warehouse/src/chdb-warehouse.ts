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

/** Connections that serve SELECTs, beside the one for inserts and commands. */
const READ_SESSIONS = 2;

interface ReadSession {
  readonly session: Session;
  running: number;
}

/**
 * The embedded ClickHouse engine (chdb) on a data directory. Uses only chdb's async entry points
 * (they run on the libuv pool), so long queries do not block the event loop. Inserts return after the
 * part is written; durability comes from the tables' fsync settings (see migrations/0001).
 *
 * A chdb connection runs one statement at a time, and an INSERT that fires the materialized views takes
 * tens of milliseconds. So inserts and commands go through one connection and SELECTs through their own
 * (the least busy of READ_SESSIONS): a conflict lookup before an acknowledgement or a dashboard panel no
 * longer waits behind the sink's inserts. Connections on one directory share one engine, so a SELECT
 * sees every insert that has returned.
 */
export class ChdbWarehouse implements Warehouse {
  readonly kind = 'chdb' as const;
  readonly dataDir: string;
  private session: Session | undefined;
  private readers: ReadSession[] = [];

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
      for (let i = 0; i < READ_SESSIONS; i++) {
        this.readers.push({ session: new Session(resolved, { connectionArgs }), running: 0 });
      }
    } catch (error) {
      this.session?.close();
      for (const reader of this.readers) reader.session.close();
      this.readers = [];
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
    await this.run(this.openSession(), sql, params, 'Null');
  }

  async query<T = Record<string, unknown>>(
    sql: string,
    params?: QueryParams,
    schema?: z.ZodType<T>,
  ): Promise<T[]> {
    const text = await this.read((session) => this.run(session, sql, params, 'JSONEachRow'));
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
    assertSingleStatement(sql);
    const opts = { format: assertRawOutputFormat(format) };
    return this.read(async (session) => {
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
    });
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
    for (const reader of this.readers) reader.session.close();
    this.readers = [];
    // close() defers the native teardown behind running operations; wait for it so that another
    // directory can be opened afterwards.
    await drainPending();
    openCount -= 1;
    if (openCount === 0) openDataDir = undefined;
  }

  /** Runs a SELECT on the read connection with the fewest statements in flight. */
  private async read<T>(work: (session: Session) => Promise<T>): Promise<T> {
    this.openSession();
    const reader = this.readers.reduce((best, next) => (next.running < best.running ? next : best));
    reader.running += 1;
    try {
      return await work(reader.session);
    } finally {
      reader.running -= 1;
    }
  }

  private async run(
    session: Session,
    sql: string,
    params: QueryParams | undefined,
    format: string,
  ): Promise<string> {
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
