import { randomBytes } from 'node:crypto';

import { z } from 'zod';

import { WarehouseQueryError } from '../warehouse-errors';
import { assertTableIdentifier, type Warehouse } from '../warehouse.port';
import { readAggregateSql } from './query-sql';

/** Each aggregate table and the materialized view that feeds it (migrations 0004-0006, 0013). */
export const AGGREGATE_VIEWS = [
  { view: 'engagement_daily_mv', table: 'engagement_daily' },
  { view: 'skill_progress_mv', table: 'skill_progress' },
  { view: 'learner_channels_mv', table: 'learner_channels' },
  { view: 'learner_daily_mv', table: 'learner_daily' },
  { view: 'statements_stored_mv', table: 'statements_stored' },
] as const;

export type AggregateTable = (typeof AGGREGATE_VIEWS)[number]['table'];

/**
 * Tables fed by a view from `statements` that describe activities, not learners (0016): rebuilt with the
 * aggregates (so a crash between a statement's part and the view's part is repaired), never erased.
 */
export const CATALOGUE_VIEWS = [{ view: 'activity_definitions_mv', table: 'activity_definitions' }] as const;

export type CatalogueTable = (typeof CATALOGUE_VIEWS)[number]['table'];

/**
 * Views recomputed on a schedule from the aggregates, not fed by inserts (0013: skill_cohort; 0014:
 * classroom_starts and learner_reach), in the order they must run: learner_last_seen reads the history's
 * last day, the live rows read learner_last_seen.
 */
export const REFRESHABLE_VIEWS = [
  'skill_cohort_mv',
  'classroom_starts_mv',
  'learner_reach_history_mv',
  'learner_last_seen_mv',
  'learner_reach_live_mv',
] as const;

/**
 * Runs every refreshable view now and waits for it: after a bulk load or a rebuild, so readers of its table
 * do not wait for the next scheduled refresh (tests, benchmarks, maintenance).
 */
export async function refreshViewsNow(warehouse: Warehouse): Promise<void> {
  for (const view of REFRESHABLE_VIEWS) {
    await warehouse.command(`SYSTEM REFRESH VIEW ${view}`);
    await warehouse.command(`SYSTEM WAIT VIEW ${view}`);
  }
}

/**
 * Tables the refreshable views extend instead of recomputing (0014: learner_reach's history and its
 * learner_last_seen): emptied by recomputeRefreshableViews so that the next refresh starts from scratch.
 */
export const INCREMENTAL_REFRESH_TABLES = ['learner_reach_history', 'learner_last_seen'] as const;

/**
 * Recomputes every refreshable view's table from the aggregates as they stand now, the incremental ones
 * (INCREMENTAL_REFRESH_TABLES) from scratch: after rebuildAggregates or an erasure changed days those views
 * had already taken in. About 35 s at 100 million statements; panels reading learner_reach undercount
 * until it returns (run it as part of the maintenance step).
 */
export async function recomputeRefreshableViews(warehouse: Warehouse): Promise<void> {
  for (const table of INCREMENTAL_REFRESH_TABLES) await warehouse.command(`TRUNCATE TABLE ${table}`);
  await refreshViewsNow(warehouse);
}

const REBUILD_SOURCE_SQL = readAggregateSql('rebuild-source');
const ViewSelectSchema = z.object({ as_select: z.string().min(1), database: z.string().min(1) });
const PartitionSchema = z.object({ partition_id: z.string().regex(/^[0-9A-Za-z_-]+$/), in_copy: z.number() });

/**
 * Recomputes every aggregate table from `statements` as it stands: one row per id (FINAL), without voiding
 * statements and without the statements they void. This is how a voiding reaches the aggregates exactly
 * (the views cannot take a learner back out of a distinct count), and how aggregates are backfilled when
 * the views are added to a store that already holds statements.
 *
 * Each table is computed into a copy with the view's own SELECT (read from system.tables, so it cannot
 * drift from the migration) and swapped in partition by partition (REPLACE PARTITION is atomic per
 * partition; readers never see an empty table). Statements inserted while it runs would be lost from the
 * aggregates: run it with the sink stopped (a maintenance command), not beside live ingestion.
 */
export async function rebuildAggregates(
  warehouse: Warehouse,
): Promise<Record<AggregateTable | CatalogueTable, number>> {
  const rows = {} as Record<AggregateTable | CatalogueTable, number>;
  for (const { view, table } of [...AGGREGATE_VIEWS, ...CATALOGUE_VIEWS]) {
    rows[table] = await rebuildOne(warehouse, view, table);
  }
  await recomputeRefreshableViews(warehouse);
  return rows;
}

/** The view's own SELECT (read from system.tables, so it cannot drift from the migration) over `source`. */
export async function viewSelectOver(warehouse: Warehouse, view: string, source: string): Promise<string> {
  const [definition] = await warehouse.query(
    'SELECT as_select, database FROM system.tables WHERE database = currentDatabase() AND name = {view:String}',
    { view },
    ViewSelectSchema,
  );
  if (!definition) throw new WarehouseQueryError(`view ${view} does not exist (migrate first)`);
  return replaceSource(definition.as_select, definition.database, view, source);
}

async function rebuildOne(warehouse: Warehouse, view: string, table: string): Promise<number> {
  const select = await viewSelectOver(warehouse, view, REBUILD_SOURCE_SQL);
  const copy = assertTableIdentifier(`${table}_rebuild_${randomBytes(6).toString('hex')}`);
  await warehouse.command(`CREATE TABLE ${copy} AS ${assertTableIdentifier(table)}`);
  try {
    // Deduplication off: the copy's blocks must never be mistaken for earlier ones.
    await warehouse.command(`INSERT INTO ${copy} SETTINGS insert_deduplicate = 0 ${select}`);
    const partitions = await warehouse.query(
      `SELECT partition_id, toUInt8(max(table = {copy:String})) AS in_copy
       FROM system.parts
       WHERE database = currentDatabase() AND table IN ({table:String}, {copy:String}) AND active
       GROUP BY partition_id`,
      { table, copy },
      PartitionSchema,
    );
    for (const { partition_id, in_copy } of partitions) {
      await warehouse.command(
        in_copy === 1
          ? `ALTER TABLE ${table} REPLACE PARTITION ID '${partition_id}' FROM ${copy}`
          : `ALTER TABLE ${table} DROP PARTITION ID '${partition_id}'`,
      );
    }
    const [{ row_count }] = await warehouse.query(
      `SELECT toUInt32(count()) AS row_count FROM ${copy}`,
      undefined,
      z.object({ row_count: z.number() }),
    );
    return row_count;
  } finally {
    await warehouse.command(`DROP TABLE IF EXISTS ${copy}`);
  }
}

/** The view's SELECT with its one `FROM <db>.statements` turned into `source`. */
function replaceSource(asSelect: string, database: string, view: string, source: string): string {
  const from = new RegExp(`\\bFROM (?:\`?${escapeRegExp(database)}\`?\\.)?\`?statements\`?(?=\\s|$)`, 'g');
  const matches = asSelect.match(from) ?? [];
  if (matches.length !== 1) {
    throw new WarehouseQueryError(
      `expected one "FROM statements" in ${view}, found ${matches.length}: ${asSelect}`,
    );
  }
  return asSelect.replace(from, `FROM (${source}\n) AS statements`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
