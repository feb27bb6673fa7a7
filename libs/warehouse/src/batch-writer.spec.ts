import { z } from 'zod';

import { BatchWriter } from './batch-writer';
import { WarehouseDataError, WarehouseQueryError, WarehouseRetriableError } from './warehouse-errors';
import type { JsonRow, Warehouse } from './warehouse.port';

const RowSchema = z.object({ n: z.number().int() });

/** Accepts a batch only if no row has n < 0 (like ClickHouse refusing a whole block for one bad value). */
class FakeWarehouse implements Warehouse {
  readonly kind = 'chdb' as const;
  readonly stored: number[] = [];
  calls = 0;
  failWith: Error | undefined;

  async insertJsonEachRow(_table: string, rows: readonly JsonRow[]): Promise<void> {
    this.calls += 1;
    if (this.failWith) throw this.failWith;
    const bad = rows.find((row) => (row.n as number) < 0);
    if (bad) throw new WarehouseDataError(`Cannot parse ${JSON.stringify(bad)}`, { clickhouseCode: 27 });
    this.stored.push(...rows.map((row) => row.n as number));
  }

  command(): Promise<void> {
    throw new Error('command() is not expected here');
  }

  query<T>(): Promise<T[]> {
    throw new Error('query() is not expected here');
  }

  queryBytes(): Promise<Buffer> {
    throw new Error('queryBytes() is not expected here');
  }

  async close(): Promise<void> {}
}

describe('BatchWriter', () => {
  it('inserts a clean batch in one call', async () => {
    const warehouse = new FakeWarehouse();
    const result = await new BatchWriter(warehouse, 't', RowSchema).insertBatch([
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
    expect(result).toEqual({ inserted: 3, rejected: [], insertCalls: 1 });
    expect(warehouse.stored).toEqual([1, 2, 3]);
  });

  it('bisects to isolate bad rows, keeping every good row', async () => {
    const warehouse = new FakeWarehouse();
    const rows = Array.from({ length: 16 }, (_, i) => ({ n: i === 5 || i === 12 ? -i : i }));
    const result = await new BatchWriter(warehouse, 't', RowSchema).insertBatch(rows);
    expect(result.inserted).toBe(14);
    expect(result.rejected.map((r) => [r.index, r.row, r.reason])).toEqual([
      [5, { n: -5 }, 'warehouse'],
      [12, { n: -12 }, 'warehouse'],
    ]);
    expect(result.rejected[0].error).toBeInstanceOf(WarehouseDataError);
    expect([...warehouse.stored].sort((a, b) => a - b)).toEqual(rows.map((r) => r.n).filter((n) => n >= 0));
    // Two bad rows in 16: at most 2 * log2(16) splits of failing halves plus their good siblings.
    expect(result.insertCalls).toBeLessThanOrEqual(1 + 2 * 2 * 4);
  });

  it('rejects schema violations without sending them', async () => {
    const warehouse = new FakeWarehouse();
    const result = await new BatchWriter(warehouse, 't', RowSchema).insertBatch([{ n: 1 }, { n: 'two' }]);
    expect(result.inserted).toBe(1);
    expect(result.rejected).toMatchObject([{ index: 1, reason: 'schema' }]);
    expect(warehouse.calls).toBe(1);
  });

  it('throws retriable and query errors without splitting', async () => {
    for (const error of [
      new WarehouseRetriableError('too many parts'),
      new WarehouseQueryError('no table'),
    ]) {
      const warehouse = new FakeWarehouse();
      warehouse.failWith = error;
      await expect(new BatchWriter(warehouse, 't', RowSchema).insertBatch([{ n: 1 }, { n: 2 }])).rejects.toBe(
        error,
      );
      expect(warehouse.calls).toBe(1);
    }
  });

  it('refuses a table name that is not an identifier', () => {
    expect(() => new BatchWriter(new FakeWarehouse(), 't; DROP TABLE x', RowSchema)).toThrow(
      WarehouseQueryError,
    );
  });
});
