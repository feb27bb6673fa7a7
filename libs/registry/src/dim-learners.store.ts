import {
  isTombstone,
  learnerRecordSchema,
  learnerTombstoneSchema,
  type LearnerChange,
} from '@app/enrichment';
import type { Warehouse } from '@app/warehouse';
import { z } from 'zod';

/** Table `dim_learners` (migration 0003): one row per registry write, the highest version wins. */
export const DIM_LEARNERS_TABLE = 'dim_learners';

const COLUMNS = `id, identities, birth_year, gender, home_town_id, home_learning_point_id,
  toUnixTimestamp64Milli(updated_at) AS updated_ms, version, deleted`;

// 64-bit integers come back as JSON strings (WAREHOUSE_SETTINGS).
const rowSchema = z.object({
  id: z.string(),
  identities: z.array(z.string()),
  birth_year: z.number().int(),
  gender: z.string(),
  home_town_id: z.string(),
  home_learning_point_id: z.string().nullable(),
  updated_ms: z.coerce.number().int(),
  version: z.coerce.number().int().positive(),
  deleted: z.boolean(),
});
type DimLearnerRow = z.infer<typeof rowSchema>;

const versionRowSchema = z.object({ id: z.string(), version: z.coerce.number().int() });

/** A stored change as the registry hands it out: a full record or a tombstone. */
function toChange(row: DimLearnerRow): LearnerChange {
  const at = new Date(row.updated_ms).toISOString();
  if (row.deleted)
    return learnerTombstoneSchema.parse({ id: row.id, deleted: true, version: row.version, deletedAt: at });
  // No reference check here: a stored learner stays readable even if the reference data lost its town.
  return learnerRecordSchema.parse({
    id: row.id,
    identities: row.identities,
    birthYear: row.birth_year,
    gender: row.gender,
    homeTownId: row.home_town_id,
    homeLearningPointId: row.home_learning_point_id,
    updatedAt: at,
    version: row.version,
  });
}

function toRow(change: LearnerChange): Record<string, unknown> {
  if (isTombstone(change)) {
    return {
      id: change.id,
      identities: [],
      birth_year: 0,
      gender: 'unknown',
      home_town_id: '',
      home_learning_point_id: null,
      updated_at: change.deletedAt ?? new Date().toISOString(),
      version: change.version,
      deleted: true,
    };
  }
  return {
    id: change.id,
    identities: change.identities,
    birth_year: change.birthYear,
    gender: change.gender,
    home_town_id: change.homeTownId,
    home_learning_point_id: change.homeLearningPointId,
    updated_at: change.updatedAt,
    version: change.version,
    deleted: false,
  };
}

/** SQL for `dim_learners`; the same statements run on chdb and on a ClickHouse server. */
export class DimLearnersStore {
  constructor(private readonly warehouse: Warehouse) {}

  /** Highest version stored per id (tombstones included); ids never written are absent. */
  async latestVersions(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.warehouse.query(
      `SELECT id, max(version) AS version FROM ${DIM_LEARNERS_TABLE} WHERE id IN {ids:Array(String)} GROUP BY id`,
      { ids: [...ids] },
      versionRowSchema,
    );
    return new Map(rows.map((row) => [row.id, row.version]));
  }

  /** One INSERT for all changes; resolves once the engine acknowledged it (fsync, see 0003). */
  async write(changes: readonly LearnerChange[]): Promise<void> {
    await this.warehouse.insertJsonEachRow(DIM_LEARNERS_TABLE, changes.map(toRow));
  }

  /** The learner's current state (record or tombstone), or undefined if the id was never written. */
  async find(id: string): Promise<LearnerChange | undefined> {
    const rows = await this.warehouse.query(
      `SELECT ${COLUMNS} FROM ${DIM_LEARNERS_TABLE} FINAL WHERE id = {id:String}`,
      { id },
      rowSchema,
    );
    return rows.length === 0 ? undefined : toChange(rows[0]);
  }

  /** Every learner's current state, tombstones included (a directory must remember erasures). */
  async loadAll(): Promise<LearnerChange[]> {
    const rows = await this.warehouse.query(
      `SELECT ${COLUMNS} FROM ${DIM_LEARNERS_TABLE} FINAL`,
      {},
      rowSchema,
    );
    return rows.map(toChange);
  }

  /**
   * Erasure: removes the rows older than the tombstone, which hold the personal data. A lightweight
   * DELETE hides them at once; the parts are rewritten without them at the next merge.
   */
  async purgeBefore(id: string, version: number): Promise<void> {
    await this.warehouse.command(
      `DELETE FROM ${DIM_LEARNERS_TABLE} WHERE id = {id:String} AND version < {version:UInt64}`,
      { id, version: String(version) },
    );
  }
}
