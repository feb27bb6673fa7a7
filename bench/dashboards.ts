/**
 * Dashboards benchmark (issue 8, part 4): every ClickHouse panel query of every dashboard, expanded as the
 * Grafana ClickHouse plugin expands it (default variables: All), timed on chdb over N simulated statements
 * (bench/scale-data.ts) for the last 30 and last 90 days; beside a representative set of the same questions
 * asked of the raw `statements` table, as a ratio.
 *
 *   node -r @swc-node/register bench/dashboards.ts [statements=10000000] [runs=10] [--data-dir DIR] [--json FILE]
 *
 * With --data-dir the filled store is kept and reused by the next run with the same size (filling 10 million
 * takes minutes). Runs go round by round: each round runs every panel of a dashboard one after the other
 * (concurrency 1: chdb runs one query at a time per process, as one Grafana user's dashboard load would be
 * served), so each round gives one sample per panel and one wall time for the whole dashboard.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';

import {
  AGGREGATE_VIEWS,
  ChdbWarehouse,
  rebuildAggregates,
  refreshViewsNow,
  runMigrations,
  type Warehouse,
} from '@app/warehouse';

import { intervalFor, resolveVariableOptions, type TimeRange } from '../dashboards/src/bench-panels';
import { DASHBOARDS, buildDashboardJson } from '../dashboards/src/dashboards';
import { expandQuery } from '../dashboards/src/macros';
import { clickhousePanelQueries, currentSelections } from '../dashboards/src/panel-queries';
import { RAW_QUESTIONS } from '../dashboards/src/raw-questions';
import { fillScaleData } from './scale-data';

export interface DashboardBenchOptions {
  /** Simulated statements in the store. */
  readonly statements: number;
  /** Timed rounds after one warm-up round (default 10). */
  readonly runs?: number;
  /** Dashboard ranges, in days ending now (default 30 and 90). */
  readonly rangesDays?: readonly number[];
  /** Keep the store here and reuse it when it already holds `statements` rows; default: a temporary dir. */
  readonly dataDir?: string;
  readonly log?: (line: string) => void;
}

export interface PanelTiming {
  readonly dashboard: string;
  readonly panel: string;
  readonly rangeDays: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  /** Median CPU time of the process per run (chdb runs inside it): what the query costs on a busy machine. */
  readonly cpuP50: number;
  readonly rows: number;
}

export interface DashboardTiming {
  readonly dashboard: string;
  readonly rangeDays: number;
  readonly panels: number;
  /** Sum of the panels' medians and of their p95s (ms). */
  readonly sumP50: number;
  readonly sumP95: number;
  /** Wall time of a round running every panel one after the other (ms). */
  readonly wallP50: number;
  readonly wallP95: number;
}

export interface RawComparison {
  readonly dashboard: string;
  readonly panel: string;
  readonly rangeDays: number;
  readonly aggregateP50: number;
  readonly rawP50: number;
  /** rawP50 / aggregateP50: how many times faster the aggregates answer. */
  readonly ratio: number;
}

export interface DashboardBenchResult {
  readonly statements: number;
  readonly learners: number | null;
  readonly runs: number;
  /** Null when an existing store was reused. */
  readonly generation: { readonly seconds: number; readonly rowsPerSecond: number } | null;
  readonly tableRows: Readonly<Record<string, number>>;
  readonly panels: readonly PanelTiming[];
  readonly dashboards: readonly DashboardTiming[];
  readonly raw: readonly RawComparison[];
  /** The panel with the highest p95 over every range. */
  readonly slowest: PanelTiming;
  /** 1-minute load average before and after the timed part (the machine may be shared). */
  readonly loadAverage: { readonly before: number; readonly after: number };
}

const TABLES = ['statements', ...AGGREGATE_VIEWS.map((v) => v.table), 'skill_cohort'];

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: with 10 runs, p95 is the slowest but none.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T, number]> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await work();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return [wall, result, (cpu.user + cpu.system) / 1000];
}

async function countRows(wh: Warehouse): Promise<Record<string, number>> {
  const rows = await wh.query<{ table: string; rows: string }>(
    `SELECT table, toString(sum(rows)) AS rows FROM system.parts
     WHERE active AND database = currentDatabase() AND table IN (${TABLES.map((t) => `'${t}'`).join(', ')})
     GROUP BY table ORDER BY table`,
  );
  return Object.fromEntries(rows.map((r) => [r.table, Number(r.rows)]));
}

/** Fills (or reuses) the store and times every panel; see the file comment. */
export async function benchDashboards(options: DashboardBenchOptions): Promise<DashboardBenchResult> {
  const runs = options.runs ?? 10;
  const rangesDays = options.rangesDays ?? [30, 90];
  const log = options.log ?? (() => undefined);
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'bench-dashboards-'));
  const wh = new ChdbWarehouse(dataDir);
  try {
    let generation: DashboardBenchResult['generation'] = null;
    let learners: number | null = null;
    const existing = (await countRows(wh).catch(() => ({}) as Record<string, number>)).statements ?? 0;
    if (existing !== options.statements) {
      if (existing !== 0)
        throw new Error(`${dataDir} holds ${existing} statements, not ${options.statements}`);
      log(`filling ${options.statements.toLocaleString('en-US')} statements into ${dataDir}`);
      const filled = await fillScaleData(wh, {
        statements: options.statements,
        onChunk: (p) =>
          log(`  ${p.inserted.toLocaleString('en-US')} rows, ${(p.elapsedMs / 1000).toFixed(0)} s`),
      });
      learners = filled.learners;
      generation = { seconds: filled.elapsedMs / 1000, rowsPerSecond: filled.rowsPerSecond };
      log(`filled at ${Math.round(filled.rowsPerSecond).toLocaleString('en-US')} statements/s`);
    } else {
      log(`reusing ${existing.toLocaleString('en-US')} statements in ${dataDir}`);
      // A store filled before a new aggregate migration: migrations do not backfill, a rebuild does.
      await runMigrations(wh);
      const counts = await countRows(wh);
      const empty = AGGREGATE_VIEWS.filter((v) => !(counts[v.table] > 0)).map((v) => v.table);
      if (empty.length > 0) {
        log(`${empty.join(', ')} empty (new migration): rebuilding the aggregates`);
        const [ms] = await timed(() => rebuildAggregates(wh));
        log(`rebuilt in ${(ms / 1000).toFixed(0)} s`);
      }
    }
    await refreshViewsNow(wh);
    const tableRows = await countRows(wh);

    const loadBefore = loadavg()[0];
    const panels: PanelTiming[] = [];
    const dashboards: DashboardTiming[] = [];
    const raw: RawComparison[] = [];
    const now = Date.now();
    for (const rangeDays of rangesDays) {
      const range: TimeRange = { from: new Date(now - rangeDays * 86_400_000), to: new Date(now) };
      for (const name of Object.keys(DASHBOARDS)) {
        const d = buildDashboardJson(name);
        const variables = currentSelections(d, await resolveVariableOptions(wh, name, range));
        const expand = (sql: string) =>
          expandQuery(sql, { ...range, intervalSeconds: intervalFor(range), variables });
        const queries = clickhousePanelQueries(d).map((q) => ({ title: q.title, sql: expand(q.rawSql) }));
        const samples = queries.map(() => [] as number[]);
        const cpuSamples = queries.map(() => [] as number[]);
        const rows = queries.map(() => 0);
        const walls: number[] = [];
        for (let round = -1; round < runs; round++) {
          const wallStart = performance.now();
          for (const [i, q] of queries.entries()) {
            const [ms, result, cpu] = await timed(() => wh.query(q.sql));
            if (round >= 0) {
              samples[i].push(ms);
              cpuSamples[i].push(cpu);
            }
            rows[i] = result.length;
          }
          if (round >= 0) walls.push(performance.now() - wallStart);
        }
        const timings = queries.map((q, i) => ({
          dashboard: name,
          panel: q.title,
          rangeDays,
          p50: percentile(samples[i], 50),
          p95: percentile(samples[i], 95),
          max: Math.max(...samples[i]),
          cpuP50: percentile(cpuSamples[i], 50),
          rows: rows[i],
        }));
        panels.push(...timings);
        dashboards.push({
          dashboard: name,
          rangeDays,
          panels: queries.length,
          sumP50: timings.reduce((s, t) => s + t.p50, 0),
          sumP95: timings.reduce((s, t) => s + t.p95, 0),
          wallP50: percentile(walls, 50),
          wallP95: percentile(walls, 95),
        });
        log(
          `${rangeDays} d ${name}: wall p50 ${percentile(walls, 50).toFixed(0)} ms, slowest panel p95 ` +
            `${Math.max(...timings.map((t) => t.p95)).toFixed(1)} ms`,
        );

        for (const question of RAW_QUESTIONS.filter((q) => q.dashboard === name)) {
          const aggregate = timings.find((t) => t.panel.startsWith(question.panel));
          if (aggregate === undefined) throw new Error(`no panel "${question.panel}" in ${name}`);
          const sql = expand(question.rawSql);
          await wh.query(sql); // warm-up
          const rawSamples: number[] = [];
          for (let i = 0; i < Math.max(3, Math.ceil(runs / 3)); i++)
            rawSamples.push((await timed(() => wh.query(sql)))[0]);
          const rawP50 = percentile(rawSamples, 50);
          raw.push({
            dashboard: name,
            panel: aggregate.panel,
            rangeDays,
            aggregateP50: aggregate.p50,
            rawP50,
            ratio: rawP50 / aggregate.p50,
          });
        }
      }
    }
    const slowest = panels.reduce((a, b) => (b.p95 > a.p95 ? b : a));
    return {
      statements: options.statements,
      learners,
      runs,
      generation,
      tableRows,
      panels,
      dashboards,
      raw,
      slowest,
      loadAverage: { before: loadBefore, after: loadavg()[0] },
    };
  } finally {
    await wh.close();
    if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatDashboardBench(result: DashboardBenchResult): string {
  const ms = (n: number) => n.toFixed(1).padStart(7);
  const lines = [
    `dashboards on ${result.statements.toLocaleString('en-US')} simulated statements (${result.runs} runs; ms)`,
    `tables: ${Object.entries(result.tableRows)
      .map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`)
      .join(', ')}`,
  ];
  if (result.generation !== null) {
    lines.push(
      `generated in ${result.generation.seconds.toFixed(0)} s (${Math.round(result.generation.rowsPerSecond).toLocaleString('en-US')} statements/s)`,
    );
  }
  lines.push('', '   p50      p95      max  cpu p50   rows  range  panel');
  for (const p of result.panels) {
    lines.push(
      `${ms(p.p50)}  ${ms(p.p95)}  ${ms(p.max)}  ${ms(p.cpuP50)}  ${String(p.rows).padStart(5)}  ${String(p.rangeDays).padStart(3)} d  ${p.dashboard} / ${p.panel}`,
    );
  }
  lines.push('', 'whole dashboard (panels one after the other): wall p50, wall p95, sum of panel p50s');
  for (const d of result.dashboards) {
    lines.push(
      `${ms(d.wallP50)}  ${ms(d.wallP95)}  ${ms(d.sumP50)}  ${String(d.rangeDays).padStart(3)} d  ${d.dashboard} (${d.panels} panels)`,
    );
  }
  lines.push('', 'the same question of the raw statements table: aggregate p50, raw p50, ratio');
  for (const r of result.raw) {
    lines.push(
      `${ms(r.aggregateP50)}  ${ms(r.rawP50)}  ${r.ratio.toFixed(1).padStart(6)}x  ${String(r.rangeDays).padStart(3)} d  ${r.dashboard} / ${r.panel}`,
    );
  }
  const s = result.slowest;
  lines.push(
    '',
    `slowest panel: p95 ${s.p95.toFixed(1)} ms (p50 ${s.p50.toFixed(1)}) ${s.rangeDays} d ${s.dashboard} / ${s.panel}`,
    `load average ${result.loadAverage.before.toFixed(1)} before, ${result.loadAverage.after.toFixed(1)} after`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i === -1) return undefined;
    const value = args[i + 1];
    args.splice(i, 2);
    return value;
  };
  const dataDir = flag('--data-dir');
  const jsonFile = flag('--json');
  const [statements = 10_000_000, runs = 10] = args.map(Number);
  const result = await benchDashboards({
    statements,
    runs,
    dataDir,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${formatDashboardBench(result)}\n`);
  if (jsonFile !== undefined) writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
