import { groupCommit } from '@app/bus';
import type { Warehouse } from '@app/warehouse';
import { z } from 'zod';

/** A stored statement as JSON text (the `raw` column of `statements`). */
export type StoredStatementJson = string;

/**
 * Finds statements already stored, for the conflict check (same id: equivalent → accept without a
 * duplicate, different → 409). Keys of the answer are lower-case ids; ids not stored are absent.
 */
export interface StatementLookup {
  findByIds(ids: readonly string[]): Promise<Map<string, StoredStatementJson>>;
}

const StoredRowSchema = z.object({ sid: z.string(), raw: z.string() });
const LOOKUP_CHUNK = 1_000;

/**
 * The lookup on the warehouse's `statements` table (served by its bloom filter index on id). Lookups of
 * concurrent requests are merged into one query (group commit): on the embedded engine every query waits
 * its turn behind the sink's inserts, so one query per round instead of one per request keeps the wait short.
 */
export class WarehouseStatementLookup implements StatementLookup {
  private readonly lookup = groupCommit(async (requests: string[][]) => {
    const found = await this.query([...new Set(requests.flat())]);
    return requests.map(
      (ids) => new Map(ids.flatMap((id) => (found.has(id) ? [[id, found.get(id) as string]] : []))),
    );
  });

  constructor(private readonly warehouse: Warehouse) {}

  async findByIds(ids: readonly string[]): Promise<Map<string, StoredStatementJson>> {
    return this.lookup([...new Set(ids.map((id) => id.toLowerCase()))]);
  }

  private async query(unique: string[]): Promise<Map<string, StoredStatementJson>> {
    const found = new Map<string, StoredStatementJson>();
    for (let start = 0; start < unique.length; start += LOOKUP_CHUNK) {
      const rows = await this.warehouse.query(
        // The alias must not be `id`: a ClickHouse alias shadows the column in WHERE.
        'SELECT toString(id) AS sid, raw FROM statements WHERE id IN {ids:Array(UUID)}',
        { ids: unique.slice(start, start + LOOKUP_CHUNK) },
        StoredRowSchema,
      );
      // ReplacingMergeTree may still hold a redelivered copy: any copy is the same statement.
      for (const row of rows) if (!found.has(row.sid)) found.set(row.sid, row.raw);
    }
    return found;
  }
}

/** A lookup over statements held in memory (tests, and a process without a warehouse). */
export class InMemoryStatementLookup implements StatementLookup {
  private readonly statements = new Map<string, StoredStatementJson>();
  /** How many times findByIds was called, for tests that check the lookup is used. */
  calls = 0;

  add(statement: { id: string } & Record<string, unknown>): void {
    this.statements.set(statement.id.toLowerCase(), JSON.stringify(statement));
  }

  async findByIds(ids: readonly string[]): Promise<Map<string, StoredStatementJson>> {
    this.calls += 1;
    const found = new Map<string, StoredStatementJson>();
    for (const id of ids) {
      const raw = this.statements.get(id.toLowerCase());
      if (raw !== undefined) found.set(id.toLowerCase(), raw);
    }
    return found;
  }
}
