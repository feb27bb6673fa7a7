/**
 * Times every ClickHouse panel query of every dashboard on chdb with a simulated district.
 *
 *   node -r @swc-node/register dashboards/src/bench-panels.ts [learners=2000] [days=30] [runs=5]
 *
 * DASHBOARDS_BENCH_DIR=<dir> keeps the chdb data there and reuses it on the next run (no reload).
 *
 * Prints per panel the median and slowest run (ms) and the rows returned, then the slowest panel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { ChdbWarehouse, type Warehouse } from '@app/warehouse';

import { DASHBOARDS, buildDashboardJson } from './dashboards';
import { expandQuery } from './macros';
import { clickhousePanelQueries, currentSelections, variableSql } from './panel-queries';
import { loadSimulatedMonth } from './testing/simulated-warehouse';

export interface TimeRange {
  readonly from: Date;
  readonly to: Date;
}

/** The panel interval Grafana would pick for ~1,000 points over the range (at least one second). */
export function intervalFor(range: TimeRange): number {
  return Math.max(1, Math.round((range.to.getTime() - range.from.getTime()) / 1000 / 1000));
}

/** Runs the dashboard's ClickHouse query variables (in order) and returns their option values. */
export async function resolveVariableOptions(
  wh: Warehouse,
  name: string,
  range: TimeRange,
): Promise<Record<string, string[]>> {
  const d = buildDashboardJson(name);
  const options: Record<string, string[]> = {};
  for (const v of d.templating.list ?? []) {
    const sql = variableSql(v);
    if (sql === undefined) continue;
    const expanded = expandQuery(sql, {
      ...range,
      intervalSeconds: intervalFor(range),
      variables: currentSelections(d, options),
    });
    const rows = await wh.query<Record<string, unknown>>(expanded);
    options[v.name] = rows.map((row) => String(Object.values(row)[0]));
  }
  return options;
}

async function main(): Promise<void> {
  const [learners = 2000, days = 30, runs = 5] = process.argv.slice(2).map(Number);
  const keptDir = process.env.DASHBOARDS_BENCH_DIR;
  const dataDir = keptDir ?? mkdtempSync(path.join(tmpdir(), 'dashboards-bench-'));
  const wh = new ChdbWarehouse(dataDir);
  try {
    const month = await loadOrReuse(wh, learners, days);
    const sizes = await wh.query<{ table: string; rows: string }>(
      `SELECT table, toString(sum(rows)) AS rows FROM system.parts WHERE active AND database = currentDatabase()
       AND table IN ('statements', 'engagement_daily', 'learner_daily', 'skill_progress', 'learner_channels') GROUP BY table ORDER BY table`,
    );
    process.stdout.write(`${sizes.map((s) => `${s.table}: ${s.rows} rows`).join(', ')}\n\n`);
    const results: { name: string; median: number; max: number; rows: number }[] = [];
    for (const name of Object.keys(DASHBOARDS)) {
      const d = buildDashboardJson(name);
      const variables = currentSelections(d, await resolveVariableOptions(wh, name, month));
      for (const q of clickhousePanelQueries(d)) {
        const sql = expandQuery(q.rawSql, { ...month, intervalSeconds: intervalFor(month), variables });
        const times: number[] = [];
        let rows = 0;
        await wh.query(sql); // warm-up: first run reads the parts from disk
        for (let i = 0; i < runs; i++) {
          const t0 = performance.now();
          rows = (await wh.query(sql)).length;
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        results.push({
          name: `${name} / ${q.title}`,
          median: times[Math.floor(times.length / 2)],
          max: times[times.length - 1],
          rows,
        });
      }
    }
    for (const r of results) {
      process.stdout.write(
        `${r.median.toFixed(1).padStart(8)} ms  (max ${r.max.toFixed(1).padStart(7)})  ${String(r.rows).padStart(4)} rows  ${r.name}\n`,
      );
    }
    const slowest = results.reduce((a, b) => (b.median > a.median ? b : a));
    process.stdout.write(
      `\nslowest panel (median of ${runs}): ${slowest.median.toFixed(1)} ms  ${slowest.name}\n`,
    );
  } finally {
    await wh.close();
    if (keptDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

async function loadOrReuse(wh: Warehouse, learners: number, days: number): Promise<TimeRange> {
  const existing = await wh.query<{ n: string }>(
    "SELECT toString(count()) AS n FROM system.tables WHERE database = currentDatabase() AND name = 'statements'",
  );
  if (existing[0]?.n === '1') {
    const [range] = await wh.query<{ from: string; to: string }>(
      `SELECT toString(toUnixTimestamp(toStartOfDay(min(timestamp), 'Asia/Shanghai'))) AS from,
              toString(toUnixTimestamp(toStartOfDay(max(timestamp), 'Asia/Shanghai')) + 86399) AS to FROM statements`,
    );
    if (range !== undefined && Number(range.from) > 0) {
      process.stdout.write(`reusing the statements in ${process.env.DASHBOARDS_BENCH_DIR}\n`);
      return { from: new Date(Number(range.from) * 1000), to: new Date(Number(range.to) * 1000) };
    }
  }
  const started = Date.now();
  const month = await loadSimulatedMonth(wh, { learners, days, end: new Date() });
  process.stdout.write(
    `loaded ${month.statements} statements (${learners} learners, ${days} days) in ${Date.now() - started} ms\n`,
  );
  return month;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
