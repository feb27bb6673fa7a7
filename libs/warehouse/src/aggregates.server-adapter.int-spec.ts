import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { createClient } from '@clickhouse/client';
import type { createChdbConnection as CreateChdbConnection } from 'chdb/dist/connection';

import { describeAggregatesContract } from './aggregates/testing/aggregates-contract';
import { ClickHouseServerWarehouse } from './clickhouse-server-warehouse';

// The aggregates' SQL and parameters through the server adapter (@clickhouse/client's query_params
// formatting, JSONEachRow parsing), on the chdb engine through the client's pluggable connection: no
// ClickHouse server can run on this machine (see warehouse.server-adapter.int-spec.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createChdbConnection } = require('chdb/connection') as {
  createChdbConnection: typeof CreateChdbConnection;
};
type ClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];

const dataDir = mkdtempSync(path.join(tmpdir(), 'warehouse-aggregates-server-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describeAggregatesContract('ClickHouseServerWarehouse over chdb/connection (no HTTP)', async () =>
  ClickHouseServerWarehouse.fromClient(
    createClient({ connection: createChdbConnection({ path: dataDir }) as unknown as ClientConnection }),
  ),
);
