import { z } from 'zod';
import { envBoolean } from '@app/config';
import { ChdbWarehouse } from './chdb-warehouse';
import { ClickHouseServerWarehouse } from './clickhouse-server-warehouse';
import { runMigrations } from './migration-runner';
import type { Warehouse } from './warehouse.port';

/** The warehouse section of a service's environment. */
export const warehouseEnvSchema = z.object({
  /** `chdb`: the embedded engine in this process, data in DATA_DIR. `clickhouse`: a server at CLICKHOUSE_URL. */
  WAREHOUSE: z.enum(['chdb', 'clickhouse']).default('chdb'),
  /** Where the embedded engine keeps its data (one directory per process). */
  DATA_DIR: z.string().default('./data'),
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().default('default'),
  /** Apply pending migrations at start. Exactly one service per deployment should (the runner has no lock). */
  WAREHOUSE_MIGRATE: envBoolean(true),
});
export type WarehouseEnv = z.infer<typeof warehouseEnvSchema>;

/** Opens the configured warehouse and, unless told not to, brings its schema up to date. */
export async function openWarehouse(env: WarehouseEnv): Promise<Warehouse> {
  let warehouse: Warehouse;
  if (env.WAREHOUSE === 'chdb') {
    warehouse = new ChdbWarehouse(`${env.DATA_DIR.replace(/\/$/, '')}/clickhouse`);
  } else {
    if (!env.CLICKHOUSE_URL) throw new Error('CLICKHOUSE_URL: required when WAREHOUSE=clickhouse');
    warehouse = ClickHouseServerWarehouse.connect({
      url: env.CLICKHOUSE_URL,
      user: env.CLICKHOUSE_USER,
      password: env.CLICKHOUSE_PASSWORD,
      database: env.CLICKHOUSE_DATABASE,
    });
  }
  if (env.WAREHOUSE_MIGRATE) {
    try {
      await runMigrations(warehouse);
    } catch (error) {
      await warehouse.close();
      throw error;
    }
  }
  return warehouse;
}
