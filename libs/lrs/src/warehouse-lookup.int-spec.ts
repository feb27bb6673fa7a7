import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChdbWarehouse, runMigrations, StatementRowWriter } from '@app/warehouse';
import { statementRowFixture } from '@app/warehouse/testing/statement-row.fixture';
import { parseStatement, prepareForStorage } from '@app/xapi';
import { StatementConflictError } from './errors';
import { StatementIngest, type IngestContext } from './statement-ingest';
import { WarehouseStatementLookup } from './statement-lookup';
import { RecordingProducer } from './testing/recording-producer';

// The conflict check against the real ClickHouse engine (chdb): the lookup's SQL, its alias and the stored raw JSON.
const dataDir = mkdtempSync(join(tmpdir(), 'lrs-lookup-chdb-'));
let warehouse: ChdbWarehouse;

beforeAll(async () => {
  warehouse = new ChdbWarehouse(dataDir);
  await runMigrations(warehouse);
});

afterAll(async () => {
  await warehouse?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const context: IngestContext = {
  credential: { key: 'app', sourceType: 'app', scopes: ['all'] },
  sourceType: 'app',
  version: '1.0.3',
  requestId: 'lookup-int',
};

function statement(id: string, verb = 'http://adlnet.gov/expapi/verbs/completed') {
  return parseStatement({
    id,
    actor: { mbox: 'mailto:learner-1@example.org' },
    verb: { id: verb },
    object: { id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/3' },
  });
}

describe('WarehouseStatementLookup on chdb', () => {
  it('finds stored statements by id (any case) and the ingest acknowledges or refuses re-sends', async () => {
    const id = '0b9c2f7e-5d1a-4c3b-9e8f-7a6b5c4d3e2f';
    const stored = prepareForStorage(statement(id), {
      stored: '2026-03-01T00:30:01.654Z',
      authority: {
        objectType: 'Agent',
        account: { homePage: 'https://learn.jlp.cq.cn/xapi/credentials', name: 'app' },
      },
    });
    const { rejected } = await new StatementRowWriter(warehouse).insertBatch([
      statementRowFixture({ id, raw: JSON.stringify(stored) }),
    ]);
    expect(rejected).toEqual([]);

    const lookup = new WarehouseStatementLookup(warehouse);
    const found = await lookup.findByIds([id.toUpperCase(), 'ffffffff-0000-4000-8000-000000000000']);
    expect([...found.keys()]).toEqual([id]);
    expect(JSON.parse(found.get(id) ?? 'null')).toEqual(stored);

    const producer = new RecordingProducer();
    const ingest = new StatementIngest({
      producer,
      lookup,
      authorityHomePage: 'https://learn.jlp.cq.cn/xapi/credentials',
    });
    await expect(ingest.storeAll([statement(id)], context)).resolves.toEqual([id]);
    expect(producer.sent).toHaveLength(0);
    const conflict = ingest.storeAll([statement(id, 'http://adlnet.gov/expapi/verbs/passed')], context);
    await expect(conflict).rejects.toBeInstanceOf(StatementConflictError);
    await expect(conflict).rejects.toMatchObject({ path: 'verb.id' });
    expect(producer.sent).toHaveLength(0);
  });
});
