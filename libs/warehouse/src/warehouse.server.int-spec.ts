import { randomUUID } from 'node:crypto';

import { ClickHouseServerWarehouse } from './clickhouse-server-warehouse';
import { describeWarehouseContract } from './testing/warehouse-contract';
import { WarehouseConfigError, WarehouseRetriableError } from './warehouse-errors';

// The contract runs against a real ClickHouse server only when CLICKHOUSE_URL is set
// (CLICKHOUSE_USER, CLICKHOUSE_PASSWORD optional). Each run uses a fresh database and drops it.
const serverUrl = process.env.CLICKHOUSE_URL;

describe('ClickHouseServerWarehouse without a server', () => {
  it('validates its configuration before any I/O', () => {
    expect(() => ClickHouseServerWarehouse.connect({ url: 'ftp://127.0.0.1:8123' })).toThrow(
      WarehouseConfigError,
    );
    expect(() => ClickHouseServerWarehouse.connect({ url: 'not a url' })).toThrow(
      /CLICKHOUSE_URL must be an http/,
    );
    expect(() =>
      ClickHouseServerWarehouse.connect({ url: 'http://127.0.0.1:8123', database: 'x; DROP DATABASE y' }),
    ).toThrow(/database must be a plain identifier/);
    expect(ClickHouseServerWarehouse.connect({ url: 'http://127.0.0.1:8123' }).kind).toBe(
      'clickhouse-server',
    );
  });

  it('reports an unreachable server as retriable', async () => {
    // Port 9 (discard) is closed on the test machine: the connection is refused.
    const warehouse = ClickHouseServerWarehouse.connect({
      url: 'http://127.0.0.1:9',
      requestTimeoutMs: 2_000,
    });
    try {
      await expect(warehouse.query('SELECT 1')).rejects.toBeInstanceOf(WarehouseRetriableError);
    } finally {
      await warehouse.close();
    }
  });
});

if (serverUrl) {
  const credentials = {
    user: process.env.CLICKHOUSE_USER ?? 'default',
    password: process.env.CLICKHOUSE_PASSWORD ?? '',
  };
  const database = `warehouse_contract_${randomUUID().replace(/-/g, '')}`;
  const admin = ClickHouseServerWarehouse.connect({ url: serverUrl, ...credentials });

  beforeAll(() => admin.command(`CREATE DATABASE ${database}`));
  afterAll(async () => {
    await admin.command(`DROP DATABASE IF EXISTS ${database}`);
    await admin.close();
  });

  describeWarehouseContract(`ClickHouse server at ${serverUrl}`, async () =>
    ClickHouseServerWarehouse.connect({ url: serverUrl, ...credentials, database }),
  );
} else {
  console.info(
    'warehouse.server.int-spec: CLICKHOUSE_URL is not set, so the contract ran on chdb only ' +
      '(warehouse.chdb.int-spec.ts, warehouse.server-adapter.int-spec.ts); here only configuration and ' +
      'connection-failure handling were checked.',
  );
}
