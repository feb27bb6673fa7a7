import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChdbWarehouse } from '../chdb-warehouse';
import { runMigrations } from '../migration-runner';
import { StatementRowWriter } from '../statement-store';
import { statementRowFixture } from '../testing/statement-row.fixture';
import { recoverAggregatesAfterCrash } from './crash-recovery';

describe('recoverAggregatesAfterCrash', () => {
  let dir: string;
  let warehouse: ChdbWarehouse;
  const marker = () => join(dir, 'running.marker');
  const aggregated = async (table = 'engagement_daily') =>
    Number((await warehouse.query<{ n: string }>(`SELECT sum(statement_count) AS n FROM ${table}`))[0].n);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crash-recovery-'));
    warehouse = new ChdbWarehouse(join(dir, 'clickhouse'));
    await runMigrations(warehouse);
    await new StatementRowWriter(warehouse).writeNewStatements(
      [1, 2, 3].map((i) => statementRowFixture({ kafka_offset: String(i) })),
    );
  });
  afterAll(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the aggregates alone after a clean stop and marks the store while it runs', async () => {
    const recovery = await recoverAggregatesAfterCrash(warehouse, marker());
    expect(recovery.rebuilt).toBe(false);
    expect(existsSync(marker())).toBe(true);
    recovery.markCleanStop();
    expect(existsSync(marker())).toBe(false);
    expect(await aggregated()).toBe(3);
  });

  it('recounts the aggregates from statements when the last run died mid-insert', async () => {
    const first = await recoverAggregatesAfterCrash(warehouse, marker());
    // The crash: statements were written, the views' parts were not (simulated by losing them).
    await warehouse.command('TRUNCATE TABLE engagement_daily');
    await warehouse.command('TRUNCATE TABLE learner_daily');
    expect(await aggregated()).toBe(0);
    expect(await aggregated('learner_daily')).toBe(0);
    void first; // never marked clean: the process "died"

    const reasons: string[] = [];
    const second = await recoverAggregatesAfterCrash(warehouse, marker(), (reason) => reasons.push(reason));
    expect(second.rebuilt).toBe(true);
    expect(reasons[0]).toContain('did not stop cleanly');
    expect(await aggregated()).toBe(3);
    expect(await aggregated('learner_daily')).toBe(3);
    second.markCleanStop();
  });
});
