import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';

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

export const ClickHouseServerConfigSchema = z.object({
  url: z.url({
    protocol: /^https?$/,
    error: 'CLICKHOUSE_URL must be an http(s) URL, e.g. http://127.0.0.1:8123',
  }),
  user: z.string().min(1).default('default'),
  password: z.string().default(''),
  database: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'database must be a plain identifier')
    .default('default'),
  /** Per-request timeout; a timeout is reported as WarehouseRetriableError. */
  requestTimeoutMs: z.number().int().positive().default(30_000),
});
export type ClickHouseServerConfig = z.input<typeof ClickHouseServerConfigSchema>;

/** A ClickHouse server reached over HTTP with @clickhouse/client. */
export class ClickHouseServerWarehouse implements Warehouse {
  readonly kind = 'clickhouse-server' as const;

  private constructor(private readonly client: ClickHouseClient) {}

  /** Validates the configuration (throws WarehouseConfigError) and creates the HTTP client; no I/O yet. */
  static connect(config: ClickHouseServerConfig): ClickHouseServerWarehouse {
    const parsed = ClickHouseServerConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw new WarehouseConfigError(
        `Invalid ClickHouse server configuration: ${z.prettifyError(parsed.error)}`,
      );
    }
    const { url, user, password, database, requestTimeoutMs } = parsed.data;
    return new ClickHouseServerWarehouse(
      createClient({
        url,
        username: user,
        password,
        database,
        request_timeout: requestTimeoutMs,
        clickhouse_settings: WAREHOUSE_SETTINGS,
      }),
    );
  }

  /**
   * Wraps an existing client, e.g. one built on chdb's `chdb/connection`, so this adapter's code can be
   * exercised without a server. The client must apply WAREHOUSE_SETTINGS itself.
   */
  static fromClient(client: ClickHouseClient): ClickHouseServerWarehouse {
    return new ClickHouseServerWarehouse(client);
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    assertSingleStatement(sql);
    try {
      await this.client.command({
        query: sql,
        query_params: params,
        clickhouse_settings: WAREHOUSE_SETTINGS,
      });
    } catch (error) {
      throw classifyWarehouseError(error, `clickhouse: ${describeSql(sql)}`);
    }
  }

  async query<T = Record<string, unknown>>(
    sql: string,
    params?: QueryParams,
    schema?: z.ZodType<T>,
  ): Promise<T[]> {
    assertSingleStatement(sql);
    let rows: unknown[];
    try {
      const result = await this.client.query({
        query: sql,
        query_params: params,
        format: 'JSONEachRow',
        clickhouse_settings: WAREHOUSE_SETTINGS,
      });
      rows = await result.json<unknown>();
    } catch (error) {
      throw classifyWarehouseError(error, `clickhouse: ${describeSql(sql)}`);
    }
    return parseRows(rows, schema, sql);
  }

  async queryBytes(sql: string, format: RawOutputFormat, params?: QueryParams): Promise<Buffer> {
    assertSingleStatement(sql);
    const checked = assertRawOutputFormat(format);
    try {
      // exec sends the text as is, so the FORMAT clause is ours; the body streams back unparsed.
      const result = await this.client.exec({
        query: `${sql.trim().replace(/;\s*$/, '')}\nFORMAT ${checked}`,
        query_params: params,
        clickhouse_settings: WAREHOUSE_SETTINGS,
      });
      const chunks: Buffer[] = [];
      for await (const chunk of result.stream) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks);
    } catch (error) {
      throw classifyWarehouseError(error, `clickhouse: ${describeSql(sql)}`);
    }
  }

  async insertJsonEachRow(table: string, rows: readonly JsonRow[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.client.insert({
        table: assertTableIdentifier(table),
        values: rows as JsonRow[],
        format: 'JSONEachRow',
        clickhouse_settings: WAREHOUSE_SETTINGS,
      });
    } catch (error) {
      throw classifyWarehouseError(error, `clickhouse: insert of ${rows.length} rows into ${table} failed`);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
