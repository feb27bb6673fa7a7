import { z } from 'zod';

import { BatchWriter, type InsertBatchResult } from './batch-writer';
import { StatementRowSchema, type StatementRow, type StatementRowInput } from './statement-row';
import { WarehouseQueryError } from './warehouse-errors';
import type { Warehouse } from './warehouse.port';

export interface WriteNewStatementsResult extends InsertBatchResult<StatementRow> {
  /** Rows skipped because their id is already stored or appeared earlier in the same batch. */
  duplicates: StatementRow[];
}

/** Writes rows of the `statements` table, isolating bad rows (see BatchWriter). */
export class StatementRowWriter extends BatchWriter<StatementRow> {
  constructor(private readonly statementsWarehouse: Warehouse) {
    super(statementsWarehouse, 'statements', StatementRowSchema);
  }

  /**
   * The sink's write: drops ids already stored (redelivery) and repeated ids within the batch, then
   * inserts the rest. Materialized views count every inserted row, so this is what keeps a duplicate
   * out of the aggregates (see migrations/0001_statements.sql). Rejected rows' `index` refers to `rows`.
   */
  async writeNewStatements(
    rows: readonly StatementRowInput[],
    options: {
      /**
       * Runs after the lookup of stored ids and before the INSERT, only when there is something to insert;
       * a throw stops the write (the sink checks there that it still owns its partitions).
       */
      beforeInsert?: () => Promise<void>;
    } = {},
  ): Promise<WriteNewStatementsResult> {
    const ids = rows.map((row) => String(row.id).toLowerCase());
    const existing = await findExistingIds(
      this.statementsWarehouse,
      ids.filter((id) => GUID.test(id)),
    );
    const seen = new Set<string>();
    const fresh: { index: number; row: StatementRowInput }[] = [];
    const duplicates: StatementRow[] = [];
    rows.forEach((row, index) => {
      const id = ids[index];
      if (existing.has(id) || seen.has(id)) {
        duplicates.push(row as StatementRow);
        return;
      }
      seen.add(id);
      fresh.push({ index, row });
    });
    if (fresh.length > 0) await options.beforeInsert?.();
    const result = await this.insertBatch(fresh.map((entry) => entry.row));
    const rejected = result.rejected.map((r) => ({ ...r, index: fresh[r.index].index }));
    return { ...result, rejected, duplicates };
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID_LOOKUP_CHUNK = 5_000;
const IdRowSchema = z.object({ found_id: z.string() });

/**
 * Which of these statement ids are already stored (answers in lower case, as ClickHouse prints UUIDs).
 * The sink uses it to drop redelivered statements before they reach the materialized views.
 * Served by the bloom_filter index on id. Throws WarehouseQueryError for a string that is not a UUID.
 */
export async function findExistingIds(warehouse: Warehouse, ids: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
  const invalid = unique.find((id) => !GUID.test(id));
  if (invalid !== undefined)
    throw new WarehouseQueryError(`findExistingIds: not a UUID: ${JSON.stringify(invalid)}`);
  const existing = new Set<string>();
  for (let start = 0; start < unique.length; start += ID_LOOKUP_CHUNK) {
    const rows = await warehouse.query(
      // The alias must not be `id`: a ClickHouse alias shadows the column in WHERE.
      'SELECT DISTINCT toString(id) AS found_id FROM statements WHERE id IN {ids:Array(UUID)}',
      { ids: unique.slice(start, start + ID_LOOKUP_CHUNK) },
      IdRowSchema,
    );
    for (const row of rows) existing.add(row.found_id);
  }
  return existing;
}
