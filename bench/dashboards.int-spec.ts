import { benchDashboards, formatDashboardBench } from './dashboards';

/** The dashboards benchmark at a tiny size: the generator fills every aggregate and every panel has rows. */
describe('benchDashboards (tiny)', () => {
  it('fills a store with simulated statements and times every panel, beside the raw-table questions', async () => {
    const result = await benchDashboards({ statements: 40_000, runs: 2, rangesDays: [30] });

    expect(result.tableRows.statements).toBe(40_000);
    for (const table of [
      'engagement_daily',
      'learner_daily',
      'skill_progress',
      'learner_channels',
      'statements_stored',
    ])
      expect(result.tableRows[table]).toBeGreaterThan(0);
    expect(result.generation?.rowsPerSecond).toBeGreaterThan(0);

    // 24 ClickHouse panels over the four dashboards, each returning rows at this size.
    expect(result.panels).toHaveLength(24);
    expect(result.panels.filter((p) => p.rows === 0)).toEqual([]);
    expect(result.panels.every((p) => p.p50 > 0 && p.p95 >= p.p50)).toBe(true);
    expect(result.dashboards.map((d) => d.dashboard).sort()).toEqual([
      'balance',
      'overview',
      'pipeline-health',
      'skill',
    ]);
    expect(result.raw.length).toBeGreaterThanOrEqual(5);
    expect(result.raw.every((r) => r.ratio > 0)).toBe(true);
    expect(formatDashboardBench(result)).toMatch(/slowest panel: p95 [\d.]+ ms/);
  }, 300_000);
});
