import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { assertTableIdentifier, type Warehouse } from '../warehouse.port';
import { readAggregateSql } from './query-sql';
import { AGGREGATE_VIEWS, viewSelectOver, type AggregateTable } from './rebuild';

/**
 * How each aggregate table is recounted for a few statements, without recomputing it whole: the month
 * partitions their rows fall into (with the statements read restricted to those months), or the learners
 * they belong to. A test checks every table of AGGREGATE_VIEWS has a plan, and that the result equals a
 * full rebuild.
 */
const RECOUNT_PLANS: Readonly<
  Record<AggregateTable, { readonly by: 'month'; readonly monthOf: string } | { readonly by: 'learner' }>
> = {
  engagement_daily: { by: 'month', monthOf: "toYYYYMM(toDate(timestamp, 'Asia/Shanghai'))" },
  learner_daily: { by: 'month', monthOf: "toYYYYMM(toDate(timestamp, 'Asia/Shanghai'))" },
  statements_stored: { by: 'month', monthOf: 'toYYYYMM(stored)' },
  skill_progress: { by: 'learner' },
  learner_channels: { by: 'learner' },
};

/** The learner key the learner-keyed views compute (0005, 0006). */
const LEARNER_KEY = "if(learner_id != '', learner_id, concat('actor:', lower(hex(SHA256(actor_key)))))";
const REBUILD_SOURCE_SQL = readAggregateSql('rebuild-source');

const TargetSchema = z.object({ target: z.string() });
const MonthSchema = z.object({ month: z.coerce.number().int().min(190001).max(299912) });
const KeySchema = z.object({ key: z.string() });

export interface VoidedRecount {
  /** Voided statements taken out of the aggregates by this call. */
  readonly targets: number;
  /** Per table: the month partitions recounted, or the learner keys recounted. */
  readonly tables: Readonly<Record<AggregateTable, readonly string[]>>;
}

/** Queues the targets of voiding statements for recountVoidedStatements (migration 0017); one INSERT. */
export async function queueVoidedRecount(warehouse: Warehouse, targets: readonly string[]): Promise<void> {
  const unique = [...new Set(targets.map((target) => target.toLowerCase()))];
  if (unique.length === 0) return;
  await warehouse.insertJsonEachRow(
    'voided_recount_queue',
    unique.map((target) => ({ target })),
  );
}

/**
 * Takes the queued voided statements (queueVoidedRecount) out of the aggregates: the views counted them
 * when they arrived and cannot subtract a learner from a distinct count. Recounts what the targets reach
 * (RECOUNT_PLANS) from the counted statements (the rebuild source: no voided, no voiding statements), then
 * removes those targets from the queue; a crash in between makes the next call redo it, harmlessly.
 *
 * Exact only while nothing else writes `statements` meanwhile: the sink runs it in its own commit queue,
 * between its inserts. With several writers another one's insert into a recounted month could be lost by
 * the swap (REPLACE PARTITION), so the distributed mode's sink leaves it off (SINK_RECOUNT_VOIDED).
 * The refreshable views follow on their next refresh (learner_reach only for the last 8 days).
 */
export async function recountVoidedStatements(warehouse: Warehouse): Promise<VoidedRecount> {
  const targets = (
    await warehouse.query(
      'SELECT DISTINCT toString(target) AS target FROM voided_recount_queue',
      undefined,
      TargetSchema,
    )
  ).map((row) => row.target);
  const tables = {} as Record<AggregateTable, string[]>;
  for (const { table } of AGGREGATE_VIEWS) tables[table] = [];
  if (targets.length === 0) return { targets: 0, tables };
  for (const { view, table } of AGGREGATE_VIEWS) {
    const plan = RECOUNT_PLANS[table];
    tables[table] =
      plan.by === 'month'
        ? await recountMonths(warehouse, view, table, plan.monthOf, targets)
        : await recountLearners(warehouse, view, table, targets);
  }
  await warehouse.command('DELETE FROM voided_recount_queue WHERE target IN {targets:Array(UUID)}', {
    targets,
  });
  return { targets: targets.length, tables };
}

async function recountMonths(
  warehouse: Warehouse,
  view: string,
  table: string,
  monthOf: string,
  targets: readonly string[],
): Promise<string[]> {
  const months = (
    await warehouse.query(
      `SELECT DISTINCT ${monthOf} AS month FROM statements WHERE id IN {targets:Array(UUID)}`,
      { targets: [...targets] },
      MonthSchema,
    )
  ).map((row) => row.month);
  if (months.length === 0) return [];
  const source = `SELECT * FROM (${REBUILD_SOURCE_SQL}\n) WHERE ${monthOf} IN {months:Array(UInt32)}`;
  const select = await viewSelectOver(warehouse, view, source);
  const copy = assertTableIdentifier(`${table}_recount_${randomBytes(6).toString('hex')}`);
  await warehouse.command(`CREATE TABLE ${copy} AS ${assertTableIdentifier(table)}`);
  try {
    // Deduplication off: the copy's blocks must never be mistaken for earlier ones.
    await warehouse.command(`INSERT INTO ${copy} SETTINGS insert_deduplicate = 0 ${select}`, { months });
    const present = new Set(
      (
        await warehouse.query(
          `SELECT DISTINCT partition_id FROM system.parts
           WHERE database = currentDatabase() AND table = {copy:String} AND active`,
          { copy },
          z.object({ partition_id: z.string() }),
        )
      ).map((row) => row.partition_id),
    );
    for (const month of months) {
      // A month left with no counted statement has no part in the copy: drop it instead.
      await warehouse.command(
        present.has(String(month))
          ? `ALTER TABLE ${table} REPLACE PARTITION ID '${month}' FROM ${copy}`
          : `ALTER TABLE ${table} DROP PARTITION ID '${month}'`,
      );
    }
  } finally {
    await warehouse.command(`DROP TABLE IF EXISTS ${copy}`);
  }
  return months.map(String);
}

async function recountLearners(
  warehouse: Warehouse,
  view: string,
  table: string,
  targets: readonly string[],
): Promise<string[]> {
  const keys = (
    await warehouse.query(
      `SELECT DISTINCT ${LEARNER_KEY} AS key FROM statements WHERE id IN {targets:Array(UUID)}`,
      { targets: [...targets] },
      KeySchema,
    )
  ).map((row) => row.key);
  if (keys.length === 0) return [];
  const source = `SELECT * FROM (${REBUILD_SOURCE_SQL}\n) WHERE ${LEARNER_KEY} IN {keys:Array(String)}`;
  const select = await viewSelectOver(warehouse, view, source);
  await warehouse.command(
    `DELETE FROM ${assertTableIdentifier(table)} WHERE learner_key IN {keys:Array(String)}`,
    {
      keys,
    },
  );
  // Deduplication off: a recounted block identical to one inserted before must not be dropped.
  await warehouse.command(`INSERT INTO ${table} SETTINGS insert_deduplicate = 0 ${select}`, { keys });
  return keys;
}
