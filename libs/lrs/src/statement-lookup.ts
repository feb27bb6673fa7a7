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

/** The lookup on the warehouse's `statements` table (served by its bloom filter index on id). */
export class WarehouseStatementLookup implements StatementLookup {
  constructor(private readonly warehouse: Warehouse) {}

  async findByIds(ids: readonly string[]): Promise<Map<string, StoredStatementJson>> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
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
