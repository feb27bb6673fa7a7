import type { z } from 'zod';

import { WarehouseDataError, type WarehouseError } from './warehouse-errors';
import { assertTableIdentifier, type JsonRow, type Warehouse } from './warehouse.port';

export interface RejectedRow<T> {
  /** Position in the batch passed to insertBatch. */
  index: number;
  row: T;
  /** Why the row was refused: a schema violation (before ClickHouse) or the engine's data error. */
  reason: 'schema' | 'warehouse';
  error: Error;
}

export interface InsertBatchResult<T> {
  /** Rows the warehouse acknowledged. */
  inserted: number;
  /** Rows refused for their content; the caller sends them to the DLQ. */
  rejected: RejectedRow<T>[];
  /** INSERT calls made (1 when nothing was wrong; more when a bad row was isolated). */
  insertCalls: number;
}

/**
 * Inserts a batch in one INSERT. When ClickHouse refuses it for its data (WarehouseDataError), the batch
 * is split in halves recursively, so every good row lands and each bad row comes back with its own error.
 * Any other failure is thrown unchanged: WarehouseRetriableError for transient trouble (the caller retries
 * the whole batch; rows that already landed are skipped or collapse by id), WarehouseQueryError for a
 * wrong table or schema (retrying cannot help, splitting would wrongly blame every row).
 */
export class BatchWriter<T extends JsonRow> {
  private readonly table: string;

  constructor(
    private readonly warehouse: Warehouse,
    table: string,
    private readonly schema: z.ZodType<T, unknown>,
  ) {
    this.table = assertTableIdentifier(table);
  }

  async insertBatch(rows: readonly unknown[]): Promise<InsertBatchResult<T>> {
    const rejected: RejectedRow<T>[] = [];
    const valid: { index: number; row: T }[] = [];
    rows.forEach((input, index) => {
      const parsed = this.schema.safeParse(input);
      if (parsed.success) valid.push({ index, row: parsed.data });
      else rejected.push({ index, row: input as T, reason: 'schema', error: parsed.error });
    });
    const counters = { inserted: 0, insertCalls: 0 };
    await this.insertOrSplit(valid, rejected, counters);
    rejected.sort((a, b) => a.index - b.index);
    return { inserted: counters.inserted, rejected, insertCalls: counters.insertCalls };
  }

  private async insertOrSplit(
    slice: { index: number; row: T }[],
    rejected: RejectedRow<T>[],
    counters: { inserted: number; insertCalls: number },
  ): Promise<void> {
    if (slice.length === 0) return;
    counters.insertCalls += 1;
    try {
      await this.warehouse.insertJsonEachRow(
        this.table,
        slice.map((entry) => entry.row),
      );
      counters.inserted += slice.length;
      return;
    } catch (error) {
      if (!(error instanceof WarehouseDataError)) throw error;
      if (slice.length === 1) {
        rejected.push({
          index: slice[0].index,
          row: slice[0].row,
          reason: 'warehouse',
          error: error as WarehouseError,
        });
        return;
      }
    }
    const middle = Math.ceil(slice.length / 2);
    await this.insertOrSplit(slice.slice(0, middle), rejected, counters);
    await this.insertOrSplit(slice.slice(middle), rejected, counters);
  }
}
