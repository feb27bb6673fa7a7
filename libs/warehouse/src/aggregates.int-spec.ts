import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { describeAggregatesContract } from './aggregates/testing/aggregates-contract';
import { ChdbWarehouse } from './chdb-warehouse';

const dataDir = mkdtempSync(path.join(tmpdir(), 'warehouse-aggregates-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describeAggregatesContract('ChdbWarehouse', async () => new ChdbWarehouse(dataDir));
