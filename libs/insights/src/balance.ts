import type { Warehouse } from '@app/warehouse';
import { z } from 'zod';

import { runMetric, type ParsedMetricQuery } from './metrics';
import type { Period } from './periods';

export interface BalancePeriod {
  readonly period: string;
  readonly periodEnd: string;
  /** Null when any town's learner count in the period is suppressed (the index would let it be solved for). */
  readonly gini: number | null;
  readonly theil: number | null;
  readonly theilBetweenRegions: number | null;
  readonly theilWithinRegions: number | null;
  readonly towns: number;
  readonly suppressed: boolean;
}

export interface BalanceResult {
  readonly metric: 'balance';
  readonly period: Period;
  readonly k: number;
  readonly requested: { readonly from: string; readonly to: string };
  readonly effective: { readonly from: string; readonly to: string };
  readonly periods: readonly BalancePeriod[];
  readonly suppressedCells: number;
  readonly closedThrough: string | null;
  readonly openPeriods: readonly string[];
}

const TownSchema = z.object({ town_id: z.string(), region: z.string(), population: z.coerce.number() });

/**
 * Inequality of participation across towns per period: learners by home town ÷ population. Gini is
 * population-weighted, ΣΣ pᵢpⱼ|rᵢ−rⱼ| ÷ (2·P·L); Theil T is learner-weighted and splits exactly into
 * between-region and within-region parts (as the balance dashboard). The town counts come from the same
 * protected cube as the engagement metric (grouped by home_town); an index is published for a period only
 * when no town of it is suppressed, since an index and the published towns could otherwise be solved for
 * the missing one. Towns without learners count as 0 (a zero reveals no one).
 */
export async function runBalance(
  warehouse: Warehouse,
  query: Pick<ParsedMetricQuery, 'from' | 'to' | 'period'>,
  k: number,
  closedThrough: string | null,
): Promise<BalanceResult> {
  const byTown = await runMetric(
    warehouse,
    'engagement',
    { ...query, groupBy: ['home_town'], filters: {} },
    k,
    closedThrough,
  );
  const towns = await warehouse.query(
    'SELECT toString(town_id) AS town_id, toString(region) AS region, population FROM dim_towns WHERE population > 0 ORDER BY town_id',
    undefined,
    TownSchema,
  );
  const periods = [...new Set(byTown.totals.map((t) => t.period))].sort();
  const result: BalancePeriod[] = periods.map((period) => {
    const cells = byTown.cells.filter(
      (c) => c.period === period && towns.some((t) => t.town_id === c.dimensions.home_town),
    );
    const periodEnd = byTown.totals.find((t) => t.period === period)?.periodEnd ?? period;
    const suppressed = cells.some((c) => c.suppressed);
    if (suppressed)
      return {
        period,
        periodEnd,
        gini: null,
        theil: null,
        theilBetweenRegions: null,
        theilWithinRegions: null,
        towns: towns.length,
        suppressed,
      };
    const learnersOf = new Map(cells.map((c) => [c.dimensions.home_town, c.values.learners ?? 0]));
    const indices = inequality(
      towns.map((t) => ({
        region: t.region,
        population: t.population,
        learners: learnersOf.get(t.town_id) ?? 0,
      })),
    );
    return { period, periodEnd, ...indices, towns: towns.length, suppressed };
  });
  return {
    metric: 'balance',
    period: query.period,
    k,
    requested: byTown.requested,
    effective: byTown.effective,
    periods: result,
    suppressedCells: byTown.suppressedCells,
    closedThrough: byTown.closedThrough,
    openPeriods: byTown.openPeriods,
  };
}

export interface TownCount {
  readonly region: string;
  readonly population: number;
  readonly learners: number;
}

/** Gini and Theil T (total, between and within regions) of learners per resident across towns. */
export function inequality(towns: readonly TownCount[]): {
  gini: number | null;
  theil: number | null;
  theilBetweenRegions: number | null;
  theilWithinRegions: number | null;
} {
  const P = towns.reduce((s, t) => s + t.population, 0);
  const L = towns.reduce((s, t) => s + t.learners, 0);
  if (P === 0 || L === 0)
    return { gini: null, theil: null, theilBetweenRegions: null, theilWithinRegions: null };
  let pairs = 0;
  for (const a of towns)
    for (const b of towns)
      pairs += a.population * b.population * Math.abs(a.learners / a.population - b.learners / b.population);
  const gini = pairs / (2 * P * L);
  const regions = new Map<string, { population: number; learners: number }>();
  for (const t of towns) {
    const r = regions.get(t.region) ?? { population: 0, learners: 0 };
    regions.set(t.region, { population: r.population + t.population, learners: r.learners + t.learners });
  }
  let between = 0;
  for (const r of regions.values())
    if (r.learners > 0) between += (r.learners / L) * Math.log(r.learners / r.population / (L / P));
  let within = 0;
  for (const t of towns) {
    if (t.learners === 0) continue;
    const r = regions.get(t.region)!;
    within += (t.learners / L) * Math.log(t.learners / t.population / (r.learners / r.population));
  }
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    gini: round(gini),
    theil: round(between + within),
    theilBetweenRegions: round(between),
    theilWithinRegions: round(within),
  };
}
