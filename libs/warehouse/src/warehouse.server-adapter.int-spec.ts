import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { createClient } from '@clickhouse/client';
import type { createChdbConnection as CreateChdbConnection } from 'chdb/dist/connection';

import { ClickHouseServerWarehouse } from './clickhouse-server-warehouse';
import { describeWarehouseContract } from './testing/warehouse-contract';

// No ClickHouse server can run on this machine. This file runs the server adapter's own code
// (@clickhouse/client calls, query_params, JSONEachRow inserts, its error mapping) against the chdb
// engine through the client's pluggable connection; the HTTP transport itself is covered only by
// warehouse.server.int-spec.ts when CLICKHOUSE_URL is set.
// The repo's TypeScript resolution (moduleResolution "node") ignores package `exports`, so the subpath
// is required at run time and typed from its declaration file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createChdbConnection } = require('chdb/connection') as {
  createChdbConnection: typeof CreateChdbConnection;
};

const dataDir = mkdtempSync(path.join(tmpdir(), 'warehouse-server-adapter-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// chdb declares the Connection interface against its own copy of @clickhouse/client-common's types;
// the shapes match at run time, the two declaration copies do not unify.
type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];

describeWarehouseContract('ClickHouseServerWarehouse over chdb/connection (no HTTP)', async () =>
  ClickHouseServerWarehouse.fromClient(
    createClient({ connection: createChdbConnection({ path: dataDir }) as unknown as ClientConnection }),
  ),
);
