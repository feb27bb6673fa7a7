import { createHash, randomBytes } from 'node:crypto';

import type { LearnerRegistry } from '@app/registry';
import {
  AGGREGATE_VIEWS,
  assertTableIdentifier,
  DocumentStore,
  readAggregateSql,
  recomputeRefreshableViews,
  WarehouseQueryError,
  type QueryParams,
  type Warehouse,
} from '@app/warehouse';
import { z } from 'zod';

import { ResearchNotFoundError } from './errors';

export interface ErasureReport {
  readonly learnerId: string;
  /** Statements removed from `statements`. */
  readonly statements: number;
  /** Per aggregate table: `rows deleted` (tables keyed by learner) or the partitions recounted. */
  readonly aggregates: Readonly<
    Record<string, { readonly deletedByLearner: boolean; readonly recountedPartitions: readonly string[] }>
  >;
  /** Whether the registry held the learner (a tombstone now stands in its place). */
  readonly registryEntry: boolean;
  /** xAPI documents (State, Agent Profile) stored for the learner's identities, removed. */
  readonly documents: number;
}

const CountSchema = z.object({ n: z.coerce.number() });
const ColumnSchema = z.object({ name: z.string(), type: z.string() });
const PartitionSchema = z.object({ partition_id: z.string().regex(/^[0-9A-Za-z_-]+$/) });
const ViewSelectSchema = z.object({ as_select: z.string().min(1), database: z.string().min(1) });

/**
 * PIPL erasure of one learner from the analytics store:
 *
 * 1. Registry: LearnerRegistry.delete writes a tombstone (no identities, no demographics), publishes it on
 *    the change feed (enrichers stop attributing the actor) and removes the learner's older rows.
 * 2. Statements: every row whose learner_id is the learner or whose actor is one of the learner's
 *    identities is removed with a lightweight DELETE (synchronous: gone from every later query).
 * 3. Aggregates, every table of AGGREGATE_VIEWS (so a rollup added later is covered too):
 *    - a table with a learner column (`learner_key`, or `learner` = sipHash128 of the key) has one row per
 *      learner and cell: the learner's rows are deleted, exactly and without touching anyone else's;
 *    - any other table mixes learners in its rows (distinct-learner states, counts): the partitions the
 *      learner's statements reached (found by running the view's own SELECT over just those statements
 *      into a probe table) are recounted from the remaining statements, as rebuildAggregates does, and
 *      swapped in partition by partition (REPLACE PARTITION, atomic per partition).
 * 4. Tables of refreshable views (skill_cohort, learner_reach): recomputed from the cleaned aggregates
 *    (recomputeRefreshableViews), since learner_reach's history keeps no learner to delete by.
 * 5. xAPI documents (State, Agent Profile) of the learner's identities and of every actor its statements
 *    were attributed to: every version deleted.
 *
 * Statements of those partitions arriving while the recount runs (seconds) are missed by the recounted
 * tables until the next rebuildAggregates; run erasures in a quiet period, as rebuildAggregates is run.
 */
export async function eraseLearner(
  warehouse: Warehouse,
  registry: LearnerRegistry,
  learnerId: string,
): Promise<ErasureReport> {
  const record = await registry.get(learnerId);
  const actorKeys = record?.identities ?? [];
  const learnerKeys = [
    learnerId,
    ...actorKeys.map((key) => `actor:${createHash('sha256').update(key).digest('hex')}`),
  ];
  const match = `(learner_id = {id:String} OR actor_key IN {actorKeys:Array(String)})`;
  const params = { id: learnerId, actorKeys };
  const [{ n: statements }] = await warehouse.query(
    `SELECT count() AS n FROM statements WHERE ${match}`,
    params,
    CountSchema,
  );
  if (record === undefined && statements === 0)
    throw new ResearchNotFoundError(`no learner ${learnerId} and no statements of it`);

  // Before anything is deleted: which partitions of the mixed tables the learner's statements reach.
  const plans: { view: string; table: string; learnerColumn?: string; partitions: string[] }[] = [];
  for (const { view, table } of AGGREGATE_VIEWS) {
    const columns = await warehouse.query(
      'SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {table:String}',
      { table },
      ColumnSchema,
    );
    const learnerColumn = columns.find(
      (c) =>
        (c.name === 'learner_key' && c.type === 'String') || (c.name === 'learner' && c.type === 'UInt128'),
    )?.name;
    const partitions =
      learnerColumn || statements === 0
        ? []
        : await probePartitions(
            warehouse,
            view,
            table,
            `SELECT * FROM statements FINAL WHERE ${match}`,
            params,
          );
    plans.push({ view, table, learnerColumn, partitions });
  }

  // Every identity the learner wrote under, including actors the enricher attributed to it.
  const attributed = await warehouse.query(
    'SELECT DISTINCT actor_key AS key FROM statements WHERE learner_id = {id:String}',
    { id: learnerId },
    z.object({ key: z.string() }),
  );
  const documentAgents = [...new Set([...actorKeys, ...attributed.map((row) => row.key)])];

  const tombstone = await registry.delete(learnerId);
  if (statements > 0) await warehouse.command(`DELETE FROM statements WHERE ${match}`, params);
  const aggregates: Record<string, { deletedByLearner: boolean; recountedPartitions: string[] }> = {};
  for (const plan of plans) {
    const table = assertTableIdentifier(plan.table);
    if (plan.learnerColumn === 'learner_key') {
      await warehouse.command(`DELETE FROM ${table} WHERE learner_key IN {keys:Array(String)}`, {
        keys: learnerKeys,
      });
    } else if (plan.learnerColumn === 'learner') {
      await warehouse.command(
        `DELETE FROM ${table} WHERE learner IN (SELECT reinterpretAsUInt128(sipHash128(arrayJoin({keys:Array(String)}))))`,
        { keys: learnerKeys },
      );
    } else {
      await recountPartitions(warehouse, plan.view, plan.table, plan.partitions);
    }
    aggregates[plan.table] = {
      deletedByLearner: plan.learnerColumn !== undefined,
      recountedPartitions: plan.partitions,
    };
  }
  if (statements > 0) await recomputeRefreshableViews(warehouse);
  const documents = await new DocumentStore(warehouse).eraseAgents(documentAgents);
  return { learnerId, statements, aggregates, registryEntry: tombstone !== undefined, documents };
}

/** The view's SELECT with its one `FROM statements` replaced by `source` (as rebuildAggregates does). */
async function viewSelectOver(warehouse: Warehouse, view: string, source: string): Promise<string> {
  const [definition] = await warehouse.query(
    'SELECT as_select, database FROM system.tables WHERE database = currentDatabase() AND name = {view:String}',
    { view },
    ViewSelectSchema,
  );
  if (!definition) throw new WarehouseQueryError(`${view} does not exist (migrate first)`);
  const database = definition.database.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const from = new RegExp(`\\bFROM (?:\`?${database}\`?\\.)?\`?statements\`?(?=\\s|$)`, 'g');
  if ((definition.as_select.match(from) ?? []).length !== 1)
    throw new WarehouseQueryError(`expected one "FROM statements" in ${view}: ${definition.as_select}`);
  return definition.as_select.replace(from, `FROM (${source}) AS statements`);
}

async function withCopyOf<T>(
  warehouse: Warehouse,
  table: string,
  work: (copy: string) => Promise<T>,
): Promise<T> {
  const copy = assertTableIdentifier(`${table}_erase_${randomBytes(6).toString('hex')}`);
  await warehouse.command(`CREATE TABLE ${copy} AS ${assertTableIdentifier(table)}`);
  try {
    return await work(copy);
  } finally {
    await warehouse.command(`DROP TABLE IF EXISTS ${copy}`);
  }
}

async function partitionsOf(warehouse: Warehouse, table: string): Promise<string[]> {
  const rows = await warehouse.query(
    `SELECT DISTINCT partition_id FROM system.parts
     WHERE database = currentDatabase() AND table = {table:String} AND active ORDER BY partition_id`,
    { table },
    PartitionSchema,
  );
  return rows.map((row) => row.partition_id);
}

/** The partitions of `table` that the view's output over `source` falls into. */
async function probePartitions(
  warehouse: Warehouse,
  view: string,
  table: string,
  source: string,
  params: QueryParams,
): Promise<string[]> {
  const select = await viewSelectOver(warehouse, view, source);
  return withCopyOf(warehouse, table, async (probe) => {
    await warehouse.command(`INSERT INTO ${probe} SETTINGS insert_deduplicate = 0 ${select}`, params);
    return partitionsOf(warehouse, probe);
  });
}

/** Recounts the given partitions of an aggregate table from the counted statements (rebuild-source). */
export async function recountPartitions(
  warehouse: Warehouse,
  view: string,
  table: string,
  partitions: readonly string[],
): Promise<void> {
  if (partitions.length === 0) return;
  const select = await viewSelectOver(warehouse, view, readAggregateSql('rebuild-source'));
  await withCopyOf(warehouse, table, async (copy) => {
    await warehouse.command(`INSERT INTO ${copy} SETTINGS insert_deduplicate = 0 ${select}`);
    const present = new Set(await partitionsOf(warehouse, copy));
    for (const id of partitions) {
      const checked = PartitionSchema.parse({ partition_id: id }).partition_id;
      // A partition left with no statements has no part in the copy: drop it instead.
      await warehouse.command(
        present.has(checked)
          ? `ALTER TABLE ${assertTableIdentifier(table)} REPLACE PARTITION ID '${checked}' FROM ${copy}`
          : `ALTER TABLE ${assertTableIdentifier(table)} DROP PARTITION ID '${checked}'`,
      );
    }
  });
}
