import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import { BatchWriter } from '../batch-writer';
import { loadMigrations, parseMigration, readAppliedMigrations, runMigrations } from '../migration-runner';
import { advanceWatermark, readConsistentThrough } from '../sink-watermarks';
import { StatementRowSchema } from '../statement-row';
import { findExistingIds, StatementRowWriter } from '../statement-store';
import { MigrationChecksumError, WarehouseDataError, WarehouseQueryError } from '../warehouse-errors';
import type { Warehouse } from '../warehouse.port';
import { statementRowFixture } from './statement-row.fixture';
import { topics } from '@app/contracts';

const CountSchema = z.object({ n: z.coerce.number() });

async function countWhere(warehouse: Warehouse, select: string, ids: string[]): Promise<number> {
  const [row] = await warehouse.query(
    `SELECT ${select} AS n FROM statements WHERE id IN {ids:Array(UUID)}`,
    { ids },
    CountSchema,
  );
  return row.n;
}

/**
 * The behaviour every Warehouse adapter must show, run against a real engine. `open` returns a warehouse
 * on an empty database; the suite applies the migrations itself.
 */
export function describeWarehouseContract(label: string, open: () => Promise<Warehouse>): void {
  describe(`Warehouse contract: ${label}`, () => {
    let warehouse: Warehouse;

    beforeAll(async () => {
      warehouse = await open();
    });

    afterAll(async () => {
      await warehouse?.close();
    });

    describe('migrations', () => {
      it('apply once and are recorded with version, name, checksum and time', async () => {
        const migrations = loadMigrations();
        const first = await runMigrations(warehouse, migrations);
        expect(first.applied.map((m) => m.version)).toEqual(migrations.map((m) => m.version));
        const recorded = await readAppliedMigrations(warehouse);
        expect(recorded.map(({ version, name, checksum }) => ({ version, name, checksum }))).toEqual(
          migrations.map(({ version, name, checksum }) => ({ version, name, checksum })),
        );
        expect(recorded.every((r) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.test(r.applied_at))).toBe(true);
        const tables = await warehouse.query(
          "SELECT name FROM system.tables WHERE database = currentDatabase() AND name IN ('statements', 'sink_watermarks') ORDER BY name",
        );
        expect(tables).toEqual([{ name: 'sink_watermarks' }, { name: 'statements' }]);
      });

      it('re-running is a no-op', async () => {
        const again = await runMigrations(warehouse, loadMigrations());
        expect(again.applied).toEqual([]);
        expect(again.alreadyApplied).toBe(loadMigrations().length);
        expect(await readAppliedMigrations(warehouse)).toHaveLength(loadMigrations().length);
      });

      it('refuses an applied migration whose file changed, and applies nothing', async () => {
        const migrations = loadMigrations();
        const last = migrations[migrations.length - 1];
        const edited = parseMigration(
          `${String(last.version).padStart(4, '0')}_${last.name}.sql`,
          `${last.statements.join(';\n')};\n-- edited after it was applied\n`,
        );
        const extra = parseMigration(
          '9999_never_applied.sql',
          'CREATE TABLE never_applied (x UInt8) ENGINE = Memory',
        );
        const run = runMigrations(warehouse, [...migrations.slice(0, -1), edited, extra]);
        await expect(run).rejects.toThrow(MigrationChecksumError);
        await expect(runMigrations(warehouse, [...migrations.slice(0, -1), edited])).rejects.toThrow(
          /was changed after it was applied/,
        );
        const [exists] = await warehouse.query(
          "SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'never_applied'",
          undefined,
          CountSchema,
        );
        expect(exists.n).toBe(0);
      });
    });

    describe('statements', () => {
      it('round-trips a row with microsecond timestamps and Chinese text', async () => {
        const row = StatementRowSchema.parse(statementRowFixture({ town: '白市驿镇', region: 'west' }));
        const result = await new StatementRowWriter(warehouse).insertBatch([row]);
        expect(result).toEqual({ inserted: 1, rejected: [], insertCalls: 1 });
        const [stored] = await warehouse.query(
          `SELECT toString(id) AS id_text, toString(timestamp) AS timestamp_text, toString(stored) AS stored_text,
                  town, raw, toUnixTimestamp64Micro(timestamp) AS micros, score_scaled, success, registration
           FROM statements WHERE id = {id:UUID}`,
          { id: row.id },
        );
        expect(stored).toEqual({
          id_text: row.id,
          timestamp_text: '2024-03-01 00:30:00.123456',
          stored_text: '2024-03-01 00:30:01.654321',
          town: '白市驿镇',
          raw: row.raw,
          micros: '1709253000123456',
          score_scaled: 0.85,
          success: true,
          registration: null,
        });
        expect(JSON.parse(row.raw).object.definition.name['zh-CN']).toBe('中文输入法');
      });

      it('binds hostile strings as values, never as SQL', async () => {
        const hostile = [
          "'; DROP TABLE statements; --",
          "back\\slash \\' quote",
          'tab\tnew\nline\rreturn',
          '{id:UUID} looks like a placeholder',
          '中文 🙂 emoji',
          'nul\u0000byte',
        ];
        for (const value of hostile) {
          const rows = await warehouse.query(
            'SELECT {value:String} AS value, length({value:String}) AS bytes, {list:Array(String)} AS list',
            { value, list: [value, 'x'] },
          );
          expect(rows).toEqual([{ value, bytes: String(Buffer.byteLength(value)), list: [value, 'x'] }]);
        }
        const row = statementRowFixture({ actor_key: hostile[0] });
        await new StatementRowWriter(warehouse).insertBatch([row]);
        const found = await warehouse.query(
          'SELECT toString(id) AS id_text FROM statements WHERE actor_key = {actor:String}',
          {
            actor: hostile[0],
          },
        );
        expect(found).toEqual([{ id_text: row.id }]);
      });

      it('counts a statement id once when it was written twice', async () => {
        const id = randomUUID();
        const writer = new StatementRowWriter(warehouse);
        // Different audit coordinates, so the second copy is not a byte-identical (deduplicated) block.
        await writer.insertBatch([statementRowFixture({ id, kafka_offset: '10' })]);
        await writer.insertBatch([statementRowFixture({ id, kafka_offset: '11', voided: true })]);
        const other = randomUUID();
        await writer.insertBatch([statementRowFixture({ id: other })]);
        expect(await countWhere(warehouse, 'uniqExact(id)', [id, other])).toBe(2);
        const [final] = await warehouse.query(
          'SELECT count() AS n FROM statements FINAL WHERE id IN {ids:Array(UUID)}',
          { ids: [id, other] },
          CountSchema,
        );
        expect(final.n).toBe(2);
        // The later write wins (row_version), e.g. a voiding re-write of its target.
        const [latest] = await warehouse.query(
          'SELECT voided, kafka_offset FROM statements FINAL WHERE id = {id:UUID}',
          { id },
        );
        expect(latest).toEqual({ voided: true, kafka_offset: '11' });
      });

      it('drops a byte-identical batch retried after an ambiguous failure', async () => {
        const rows = [1, 2, 3].map((i) =>
          statementRowFixture({ kafka_offset: String(200 + i), row_version: '2024-03-01 00:30:01.654321' }),
        );
        const writer = new StatementRowWriter(warehouse);
        await writer.insertBatch(rows);
        await writer.insertBatch(rows);
        const [all] = await warehouse.query(
          'SELECT count() AS n FROM statements WHERE id IN {ids:Array(UUID)}',
          { ids: rows.map((r) => String(r.id)) },
          CountSchema,
        );
        expect(all.n).toBe(3);
      });

      it('isolates the bad rows of a batch and lands the good ones', async () => {
        const rows = Array.from({ length: 10 }, (_, i) =>
          statementRowFixture({ kafka_offset: String(100 + i) }),
        );
        // Valid for the row schema, refused by ClickHouse (there is no 30 February).
        rows[3] = statementRowFixture({ timestamp: '2024-02-30 00:00:00.000000' });
        // Refused by the row schema before reaching ClickHouse.
        const notARow = { ...statementRowFixture(), id: 'not-a-uuid' };
        const result = await new StatementRowWriter(warehouse).insertBatch([...rows, notARow]);
        expect(result.inserted).toBe(9);
        expect(result.rejected.map(({ index, reason }) => ({ index, reason }))).toEqual([
          { index: 3, reason: 'warehouse' },
          { index: 10, reason: 'schema' },
        ]);
        expect(result.rejected[0].error).toBeInstanceOf(WarehouseDataError);
        expect(result.rejected[0].error.message).toMatch(/DateTime/);
        expect(result.insertCalls).toBeGreaterThan(1);
        const goodIds = rows.filter((_, i) => i !== 3).map((r) => String(r.id));
        expect(await countWhere(warehouse, 'uniqExact(id)', [...goodIds, String(rows[3].id)])).toBe(9);
      });

      it('does not blame rows for a table-level error', async () => {
        const writer = new BatchWriter(warehouse, 'no_such_table', z.object({ x: z.number() }));
        const failure = writer.insertBatch([{ x: 1 }, { x: 2 }]);
        await expect(failure).rejects.toThrow(WarehouseQueryError);
        await expect(writer.insertBatch([{ x: 1 }])).rejects.not.toBeInstanceOf(WarehouseDataError);
      });

      it('finds which ids are already stored', async () => {
        const stored = [randomUUID(), randomUUID()];
        await new StatementRowWriter(warehouse).insertBatch(stored.map((id) => statementRowFixture({ id })));
        const missing = randomUUID();
        const found = await findExistingIds(warehouse, [
          stored[0].toUpperCase(),
          missing,
          stored[1],
          stored[1],
        ]);
        expect(found).toEqual(new Set(stored));
        expect(await findExistingIds(warehouse, [])).toEqual(new Set());
        await expect(findExistingIds(warehouse, ["x' OR 1=1"])).rejects.toThrow(WarehouseQueryError);
      });

      it('writes only statements not stored yet, once per batch', async () => {
        const writer = new StatementRowWriter(warehouse);
        const already = statementRowFixture();
        await writer.insertBatch([already]);
        const fresh = statementRowFixture();
        const repeated = { ...fresh, kafka_offset: '99' };
        const result = await writer.writeNewStatements([
          { ...already, id: String(already.id).toUpperCase() },
          fresh,
          repeated,
          statementRowFixture({ timestamp: '2024-02-30 00:00:00.000000' }),
        ]);
        expect(result.inserted).toBe(1);
        expect(result.duplicates).toHaveLength(2);
        expect(result.rejected.map((r) => r.index)).toEqual([3]);
        const [plain] = await warehouse.query(
          'SELECT count() AS n FROM statements WHERE id IN {ids:Array(UUID)}',
          { ids: [String(already.id), String(fresh.id)] },
          CountSchema,
        );
        expect(plain.n).toBe(2);
      });
    });

    describe('sink watermarks', () => {
      it('keep the highest value per partition and report the minimum across partitions', async () => {
        const group = `sink-${randomUUID()}`;
        const topic = topics.statementsEnriched.name;
        const at = (partition: number, storedThrough: string, offset: string) =>
          advanceWatermark(warehouse, { consumerGroup: group, topic, partition, storedThrough, offset });
        await at(0, '2024-03-01 10:00:00.000001', '5');
        expect(await readConsistentThrough(warehouse, group, topic, 2)).toBeNull();
        await at(1, '2024-03-01 09:00:00.000002', '7');
        expect(await readConsistentThrough(warehouse, group, topic, 2)).toBe('2024-03-01T09:00:00.000002Z');
        await at(1, '2024-03-01 11:00:00.000000', '9');
        await at(1, '2024-03-01 08:00:00.000000', '3'); // a late, older advance does not move it back
        expect(await readConsistentThrough(warehouse, group, topic, 2)).toBe('2024-03-01T10:00:00.000001Z');
      });
    });

    describe('queries', () => {
      it('refuses more than one statement per call', async () => {
        await expect(warehouse.query('SELECT 1; SELECT 2')).rejects.toThrow(/exactly one SQL statement/);
      });

      it('reports engine errors as typed errors with the ClickHouse code', async () => {
        const failure = warehouse.query('SELECT * FROM table_that_does_not_exist');
        await expect(failure).rejects.toBeInstanceOf(WarehouseQueryError);
        await expect(failure).rejects.toMatchObject({ clickhouseCode: 60 });
      });

      it('returns raw bytes of a format as the engine wrote them (Parquet, CSV), with bound parameters', async () => {
        const sql = 'SELECT number AS n, concat({prefix:String}, toString(number)) AS s FROM numbers(3)';
        const csv = await warehouse.queryBytes(sql, 'CSVWithNames', { prefix: 'x-' });
        expect(csv.toString('utf8')).toBe('"n","s"\n0,"x-0"\n1,"x-1"\n2,"x-2"\n');
        const parquet = await warehouse.queryBytes(sql, 'Parquet', { prefix: 'x-' });
        // Parquet files start and end with the magic PAR1; bytes outside UTF-8 must survive the trip.
        expect(parquet.subarray(0, 4).toString('latin1')).toBe('PAR1');
        expect(parquet.subarray(parquet.length - 4).toString('latin1')).toBe('PAR1');
        // The footer length (4 bytes little-endian before the closing magic) points inside the file.
        const footerLength = parquet.readUInt32LE(parquet.length - 8);
        expect(footerLength).toBeGreaterThan(0);
        expect(footerLength).toBeLessThan(parquet.length - 12);
        expect(parquet.toString('latin1')).toContain('x-2');
        await expect(warehouse.queryBytes(sql, 'Native' as 'CSV')).rejects.toThrow(
          /Unsupported raw output format/,
        );
      });
    });
  });
}
