import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { ChdbWarehouse } from './chdb-warehouse';
import { runMigrations } from './migration-runner';
import { findExistingIds, StatementRowWriter } from './statement-store';
import { describeWarehouseContract } from './testing/warehouse-contract';
import { statementRowFixture } from './testing/statement-row.fixture';
import { WarehouseConfigError } from './warehouse-errors';

const dataDir = mkdtempSync(path.join(tmpdir(), 'warehouse-chdb-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describeWarehouseContract('chdb', async () => new ChdbWarehouse(dataDir));

describe('ChdbWarehouse specifics', () => {
  it('keeps data in its directory across close and reopen', async () => {
    const first = new ChdbWarehouse(dataDir);
    await runMigrations(first);
    const row = statementRowFixture();
    await new StatementRowWriter(first).insertBatch([row]);
    await first.close();
    const second = new ChdbWarehouse(dataDir);
    try {
      expect(await findExistingIds(second, [String(row.id)])).toEqual(new Set([row.id]));
    } finally {
      await second.close();
    }
  });

  it('refuses a second data directory in the same process, naming both', async () => {
    const open = new ChdbWarehouse(dataDir);
    try {
      const otherDir = path.join(tmpdir(), 'warehouse-chdb-other');
      expect(() => new ChdbWarehouse(otherDir)).toThrow(WarehouseConfigError);
      expect(() => new ChdbWarehouse(otherDir)).toThrow(`${dataDir} is open, cannot also open ${otherDir}`);
    } finally {
      await open.close();
    }
  });

  it('keeps acknowledged statements when the process is killed right after the acknowledgement', async () => {
    const crashDir = mkdtempSync(path.join(tmpdir(), 'warehouse-chdb-crash-'));
    try {
      const child = spawnSync(
        process.execPath,
        [
          '-r',
          '@swc-node/register',
          path.join(__dirname, 'testing', 'chdb-ack-then-die.ts'),
          crashDir,
          '500',
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(child.signal).toBe('SIGKILL');
      const { acknowledged, ids } = JSON.parse(child.stdout) as { acknowledged: number; ids: string[] };
      expect(acknowledged).toBe(500);
      const reopened = new ChdbWarehouse(crashDir);
      try {
        expect((await findExistingIds(reopened, ids)).size).toBe(500);
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(crashDir, { recursive: true, force: true });
    }
  });

  it('creates the tables with fsync on insert', async () => {
    const warehouse = new ChdbWarehouse(dataDir);
    try {
      const tables = await warehouse.query<{ name: string; engine_full: string }>(
        "SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN ('statements', 'sink_watermarks', 'schema_migrations') ORDER BY name",
      );
      expect(tables.map((t) => t.name)).toEqual(['schema_migrations', 'sink_watermarks', 'statements']);
      for (const table of tables)
        expect(table.engine_full).toMatch(/fsync_after_insert = 1, fsync_part_directory = 1/);
    } finally {
      await warehouse.close();
    }
  });

  it('keeps the event loop running during a long query', async () => {
    const warehouse = new ChdbWarehouse(dataDir);
    try {
      let ticks = 0;
      const timer = setInterval(() => (ticks += 1), 5);
      const started = performance.now();
      await warehouse.query('SELECT max(sipHash64(number)) AS h FROM numbers(30000000)');
      const elapsed = performance.now() - started;
      clearInterval(timer);
      // A blocking call would let no timer fire until it returned.
      expect(elapsed).toBeGreaterThan(50);
      expect(ticks).toBeGreaterThanOrEqual(Math.floor(elapsed / 5 / 4));
    } finally {
      await warehouse.close();
    }
  });

  it('refuses calls after close', async () => {
    const warehouse = new ChdbWarehouse(dataDir);
    await warehouse.close();
    await expect(warehouse.query('SELECT 1')).rejects.toThrow(/is closed/);
  });
});
