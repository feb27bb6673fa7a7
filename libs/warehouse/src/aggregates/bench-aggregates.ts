// Cost of the aggregate views and speed of the dashboard queries, on chdb.
// Run: node -r @swc-node/register libs/warehouse/src/aggregates/bench-aggregates.ts [batchesPerVariant] [totalRows]
//
// 1. Insert throughput of 1,000-row batches, variants interleaved batch by batch so machine noise hits all alike:
//    `statements` as migrated (three views), a copy without views, and copies with only the engagement view
//    counting statements as a plain sum (as migrated) or as uniqExactState(id) (duplicate-proof by itself).
// 2. Fills `statements` (and the two engagement-only copies) up to totalRows and times engagementByTown.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { loadReferenceData } from '@app/reference';

import { ChdbWarehouse } from '../chdb-warehouse';
import { runMigrations } from '../migration-runner';
import type { JsonRow } from '../warehouse.port';
import { activeLearners, engagementByDay, engagementByTown } from './engagement.queries';
import { AGGREGATE_VIEWS } from './rebuild';
import { loadReferenceDimensions } from './reference-dimensions';
import { classroomToOnline, skillFunnel } from './skill.queries';

const BATCH = 1_000;
const batchesPerVariant = Number(process.argv[2] ?? 50);
const totalRows = Number(process.argv[3] ?? 1_000_000);
const LEARNERS = 50_000;
const DAYS = 30;

const SOURCES = ['classroom', 'classroom', 'portal', 'app', 'app', 'kiosk', 'partner'];
const VERBS = [
  ['experienced', 'http://adlnet.gov/expapi/verbs/experienced'],
  ['experienced', 'http://adlnet.gov/expapi/verbs/experienced'],
  ['attended', 'http://adlnet.gov/expapi/verbs/attended'],
  ['launched', 'http://adlnet.gov/expapi/verbs/launched'],
  ['completed', 'http://adlnet.gov/expapi/verbs/completed'],
  ['answered', 'http://adlnet.gov/expapi/verbs/answered'],
  ['passed', 'http://adlnet.gov/expapi/verbs/passed'],
  ['failed', 'http://adlnet.gov/expapi/verbs/failed'],
] as const;
const AGE_BANDS = ['under-18', '18-29', '30-39', '40-49', '50-59', '60-69', '70-79', '80+'];
const GENDERS = ['female', 'female', 'male', 'unknown'];
const SKILLS = [
  'computer-principles',
  'computer-operation',
  'chinese-input',
  'common-software',
  'internet-and-downloads',
];

/** Deterministic pseudo-random numbers, so runs are comparable. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Place {
  point: string;
  school: string;
  town: string;
  region: string;
}

function makeBatch(random: () => number, places: readonly Place[], batchNumber: number): JsonRow[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const learner = Math.floor(random() * LEARNERS);
    // A learner mostly learns at a home point (fixed per learner), sometimes elsewhere.
    const place =
      random() < 0.8 ? places[learner % places.length] : places[Math.floor(random() * places.length)];
    const [category, verb] = VERBS[Math.floor(random() * VERBS.length)];
    const skill = random() < 0.6 ? SKILLS[Math.floor(random() * SKILLS.length)] : 'unknown';
    const day = String(1 + Math.floor(random() * DAYS)).padStart(2, '0');
    const seconds = Math.floor(random() * 86_400);
    const time = new Date(seconds * 1000).toISOString().slice(11, 19);
    const id = randomUUID();
    return {
      id,
      actor_key: `mbox:mailto:learner-${learner}@example.org`,
      verb_id: verb,
      object_id: `https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/${1 + (i % 5)}`,
      object_type: 'Activity',
      timestamp: `2024-03-${day} ${time}.${String(i).padStart(6, '0')}`,
      stored: `2024-03-${day} ${time}.${String(i).padStart(6, '0')}`,
      registration: null,
      voided: false,
      voiding_target: null,
      source: SOURCES[Math.floor(random() * SOURCES.length)],
      credential_key: 'bench',
      learner_id: `L-${String(learner).padStart(6, '0')}`,
      learning_point_id: place.point,
      school_id: place.school,
      town: place.town,
      region: place.region,
      age_band: AGE_BANDS[learner % AGE_BANDS.length],
      gender: GENDERS[learner % GENDERS.length],
      home_town: places[learner % places.length].town,
      skill,
      verb_category: category,
      duration_seconds: random() < 0.7 ? Math.floor(random() * 3600) : null,
      score_scaled: category === 'passed' || category === 'failed' ? Math.round(random() * 100) / 100 : null,
      success: category === 'passed' ? true : category === 'failed' ? false : null,
      completion: category === 'completed' ? true : null,
      // A realistic statement body is about 1 KB.
      raw: JSON.stringify({ id, batch: batchNumber, padding: '计算机基本操作'.repeat(45) }),
      kafka_topic: 'bench',
      kafka_partition: 0,
      kafka_offset: String(batchNumber * BATCH + i),
    };
  });
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aggregates-bench-'));
  const warehouse = new ChdbWarehouse(dir);
  try {
    await runMigrations(warehouse);
    const reference = await loadReferenceData();
    await loadReferenceDimensions(warehouse, reference);
    const towns = new Map(reference.towns.map((town) => [town.id, town]));
    const places: Place[] = reference.learningPoints.map((point) => ({
      point: point.id,
      school: point.schoolId,
      town: point.townId,
      region: towns.get(point.townId)?.region ?? 'unknown',
    }));

    // Copies of `statements` with other views. Their engagement SELECT is the migrated one, read back.
    const [{ as_select: engagementSelect }] = await warehouse.query<{ as_select: string }>(
      "SELECT as_select FROM system.tables WHERE database = currentDatabase() AND name = 'engagement_daily_mv'",
    );
    await warehouse.command('CREATE TABLE bench_no_views AS statements');
    // All three views as migrated, but their target tables without fsync: what durability of the
    // (rebuildable) aggregates costs.
    await warehouse.command('CREATE TABLE bench_views_nofsync AS statements');
    for (const { view, table } of AGGREGATE_VIEWS) {
      const [{ as_select: select }] = await warehouse.query<{ as_select: string }>(
        'SELECT as_select FROM system.tables WHERE database = currentDatabase() AND name = {view:String}',
        { view },
      );
      await warehouse.command(`CREATE TABLE bench_nofsync_${table} AS ${table}`);
      await warehouse.command(
        `ALTER TABLE bench_nofsync_${table} MODIFY SETTING fsync_after_insert = 0, fsync_part_directory = 0`,
      );
      await warehouse.command(
        `CREATE MATERIALIZED VIEW bench_nofsync_${view} TO bench_nofsync_${table} AS ${select.replace(/FROM (\w+\.)?statements\b/, 'FROM bench_views_nofsync')}`,
      );
    }
    for (const variant of ['count', 'uniqid'] as const) {
      const source = `bench_${variant}`;
      const target = `bench_engagement_${variant}`;
      await warehouse.command(`CREATE TABLE ${source} AS statements`);
      await warehouse.command(`CREATE TABLE ${target} AS engagement_daily`);
      let select = engagementSelect.replace(/FROM (\w+\.)?statements\b/, `FROM ${source}`);
      if (variant === 'uniqid') {
        // An empty table: the column's type can simply be swapped.
        await warehouse.command(`ALTER TABLE ${target} DROP COLUMN statement_count`);
        await warehouse.command(
          `ALTER TABLE ${target} ADD COLUMN statement_count AggregateFunction(uniqExact, UUID) AFTER home_town`,
        );
        select = select.replace(
          'toUInt64(count()) AS statement_count',
          'uniqExactState(id) AS statement_count',
        );
      }
      await warehouse.command(`CREATE MATERIALIZED VIEW ${target}_mv TO ${target} AS ${select}`);
    }

    const random = rng(42);
    let batchNumber = 0;
    const tables = [
      'statements',
      'bench_no_views',
      'bench_views_nofsync',
      'bench_count',
      'bench_uniqid',
    ] as const;
    const millis: Record<(typeof tables)[number], number[]> = {
      statements: [],
      bench_no_views: [],
      bench_views_nofsync: [],
      bench_count: [],
      bench_uniqid: [],
    };
    // Warm-up, then interleave; each variant gets the same batch.
    for (const table of tables)
      await warehouse.insertJsonEachRow(table, makeBatch(random, places, batchNumber));
    batchNumber += 1;
    for (let b = 0; b < batchesPerVariant; b++) {
      const batch = makeBatch(random, places, batchNumber++);
      const order = b % 2 === 0 ? tables : [...tables].reverse();
      for (const table of order) {
        const started = performance.now();
        await warehouse.insertJsonEachRow(table, batch);
        millis[table].push(performance.now() - started);
      }
    }
    console.log(
      `insert, ${batchesPerVariant} batches of ${BATCH} rows per variant (median ms/batch, rows/s):`,
    );
    for (const table of tables) {
      const ms = median(millis[table]);
      console.log(`  ${table.padEnd(16)} ${ms.toFixed(1)} ms  ${Math.round((BATCH * 1000) / ms)} rows/s`);
    }
    const ratio = median(millis.statements) / median(millis.bench_no_views);
    console.log(`  ratio three views / no views: ${ratio.toFixed(2)}`);
    console.log(
      `  ratio three views, targets without fsync / no views: ${(median(millis.bench_views_nofsync) / median(millis.bench_no_views)).toFixed(2)}`,
    );
    console.log(
      `  ratio uniqExact(id) / count (engagement view only): ${(median(millis.bench_uniqid) / median(millis.bench_count)).toFixed(2)}`,
    );

    // Fill up to totalRows; the no-views copy is not needed any more.
    await warehouse.command('DROP TABLE bench_no_views');
    await warehouse.command('DROP TABLE bench_views_nofsync');
    const fillStarted = performance.now();
    let rows = (batchesPerVariant + 1) * BATCH;
    while (rows < totalRows) {
      const batch = makeBatch(random, places, batchNumber++);
      for (const table of ['statements', 'bench_count', 'bench_uniqid'])
        await warehouse.insertJsonEachRow(table, batch);
      rows += BATCH;
    }
    console.log(
      `filled to ${rows} rows per table in ${((performance.now() - fillStarted) / 1000).toFixed(0)} s`,
    );

    const sizes = await warehouse.query(
      `SELECT table, toUInt64(sum(rows)) AS rows, toUInt32(count()) AS parts,
              formatReadableSize(sum(data_compressed_bytes)) AS compressed
       FROM system.parts WHERE database = currentDatabase() AND active
         AND table IN ('statements', 'engagement_daily', 'skill_progress', 'learner_channels',
                       'bench_engagement_count', 'bench_engagement_uniqid')
       GROUP BY table ORDER BY table`,
    );
    console.table(sizes);

    const range = { from: '2024-03-01', to: '2024-03-31' };
    const timeIt = async (label: string, run: () => Promise<unknown>): Promise<void> => {
      await run();
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await run();
        runs.push(performance.now() - started);
      }
      console.log(`  ${label}: median ${median(runs).toFixed(0)} ms (min ${Math.min(...runs).toFixed(0)})`);
    };
    const byTownRaw = (table: string, count: string): string =>
      `SELECT town, ${count} AS statements, uniqExactMerge(learners) AS learners, sum(time_spent_seconds) AS seconds
       FROM ${table} WHERE day BETWEEN '2024-03-01' AND '2024-03-31' GROUP BY town`;
    for (const phase of ['as inserted', 'after OPTIMIZE FINAL']) {
      if (phase !== 'as inserted') {
        for (const table of [
          'engagement_daily',
          'skill_progress',
          'learner_channels',
          'bench_engagement_count',
          'bench_engagement_uniqid',
        ])
          await warehouse.command(`OPTIMIZE TABLE ${table} FINAL`);
        console.table(
          await warehouse.query(
            `SELECT table, toUInt64(sum(rows)) AS rows, formatReadableSize(sum(data_compressed_bytes)) AS compressed
             FROM system.parts WHERE database = currentDatabase() AND active AND table NOT LIKE 'dim%'
             GROUP BY table ORDER BY table`,
          ),
        );
      }
      console.log(`engagement by town over ${rows} statements, ${phase}:`);
      await timeIt('engagementByTown (dims join, count)', () => engagementByTown(warehouse, range));
      await timeIt('by town, plain count', () =>
        warehouse.query(byTownRaw('bench_engagement_count', 'sum(statement_count)')),
      );
      await timeIt('by town, uniqExact(id)', () =>
        warehouse.query(byTownRaw('bench_engagement_uniqid', 'uniqExactMerge(statement_count)')),
      );
      await timeIt('engagementByTown by home town', () =>
        engagementByTown(warehouse, { ...range, townOf: 'home' }),
      );
      await timeIt('engagementByDay', () => engagementByDay(warehouse, range));
      await timeIt('activeLearners 30 days', () =>
        activeLearners(warehouse, { days: 30, asOf: '2024-03-31' }),
      );
      await timeIt('skillFunnel', () => skillFunnel(warehouse, range));
      await timeIt('classroomToOnline', () => classroomToOnline(warehouse, range));
      await timeIt('same by town from raw statements (FINAL)', () =>
        warehouse.query(
          `SELECT town, count() AS statements,
                  uniqExact(if(learner_id != '', learner_id, actor_key)) AS learners,
                  sum(ifNull(duration_seconds, 0)) AS seconds
           FROM statements FINAL
           WHERE toDate(timestamp, 'Asia/Shanghai') BETWEEN '2024-03-01' AND '2024-03-31' AND voiding_target IS NULL
           GROUP BY town`,
        ),
      );
    }
  } finally {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
