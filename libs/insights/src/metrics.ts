import type { Warehouse } from '@app/warehouse';
import { z } from 'zod';

import {
  COMPLETED_SQL,
  DIMENSION_NAMES,
  DIMENSIONS,
  LEARNER_KEY_SQL,
  PASSED_SQL,
  countedStatementsSql,
  type Dimension,
} from './dimensions';
import { ResearchRequestError, type ResearchIssue } from './errors';
import {
  PERIODS,
  periodChain,
  periodEndOfKey,
  periodsIn,
  periodStartSql,
  snapRange,
  type Period,
} from './periods';
import { decideSuppression, type CubeCell } from './suppression';

export const METRICS = ['engagement', 'skills'] as const;
export type MetricName = (typeof METRICS)[number];

/** At most this many dimensions (group-by plus filters): the cube has 2^n tables per period level. */
export const MAX_DIMENSIONS = 3;

const dateString = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

/** The query string of a metrics request, as the HTTP layer receives it. */
export const MetricQuerySchema = z.object({
  from: dateString.describe('first local day (Asia/Shanghai), inclusive; widened to the start of its period'),
  to: dateString.describe('last local day, inclusive; widened to the end of its period'),
  period: z
    .enum(PERIODS)
    .default('month')
    .describe('day, week (month-aligned: 1-7, 8-14, 15-21, 22-28, 29-end) or month'),
  groupBy: z
    .string()
    .optional()
    .describe(`comma-separated dimensions: ${DIMENSION_NAMES.join(', ')}`),
  ...Object.fromEntries(
    DIMENSION_NAMES.map((name) => [name, z.string().min(1).optional().describe(`filter: one ${name} value`)]),
  ),
});
export type MetricQuery = z.input<typeof MetricQuerySchema>;

export interface ParsedMetricQuery {
  readonly from: string;
  readonly to: string;
  readonly period: Period;
  readonly groupBy: readonly Dimension[];
  readonly filters: Readonly<Partial<Record<Dimension, string>>>;
}

/** Validates a metrics query; every problem is reported at once (400). */
export function parseMetricQuery(query: unknown): ParsedMetricQuery {
  const issues: ResearchIssue[] = [];
  const raw = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value))
      issues.push({ field: name, message: 'give one value; repeated parameters are not accepted' });
  }
  const known = new Set(['from', 'to', 'period', 'groupBy', ...DIMENSION_NAMES]);
  for (const name of Object.keys(raw)) {
    if (!known.has(name))
      issues.push({ field: name, message: `unknown parameter (known: ${[...known].join(', ')})` });
  }
  const parsed = MetricQuerySchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      issues.push({ field: issue.path.join('.') || '(query)', message: issue.message });
  }
  if (issues.length > 0 || !parsed.success) throw new ResearchRequestError('invalid metrics query', issues);
  const data = parsed.data as z.output<typeof MetricQuerySchema> & Record<string, string | undefined>;

  const groupBy: Dimension[] = [];
  for (const name of (data.groupBy ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)) {
    if (!(DIMENSION_NAMES as string[]).includes(name)) {
      issues.push({
        field: 'groupBy',
        message: `unknown dimension ${JSON.stringify(name)} (known: ${DIMENSION_NAMES.join(', ')})`,
      });
    } else if (groupBy.includes(name as Dimension)) {
      issues.push({ field: 'groupBy', message: `dimension ${name} is listed twice` });
    } else groupBy.push(name as Dimension);
  }
  const filters: Partial<Record<Dimension, string>> = {};
  for (const name of DIMENSION_NAMES) {
    const value = data[name];
    if (value === undefined) continue;
    if (value.includes(','))
      issues.push({
        field: name,
        message:
          'filters take one value: a set of values would describe a population outside the fixed grid of cells, and two sets differing by one value would reveal that value; group by the dimension instead',
      });
    else if (groupBy.includes(name))
      issues.push({ field: name, message: `${name} is both grouped by and filtered` });
    else filters[name] = value;
  }
  if (groupBy.length + Object.keys(filters).length > MAX_DIMENSIONS)
    issues.push({
      field: 'groupBy',
      message: `at most ${MAX_DIMENSIONS} dimensions, group-by and filters together`,
    });
  if (issues.length > 0) throw new ResearchRequestError('invalid metrics query', issues);
  // Validates the dates and their order (400 with the reason).
  snapRange(data.period, data.from, data.to);
  return { from: data.from, to: data.to, period: data.period, groupBy, filters };
}

/** One published (or suppressed) cell; measures are null when suppressed. */
export interface MetricCell {
  readonly period: string;
  readonly periodEnd: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly suppressed: boolean;
  readonly values: Readonly<Record<string, number | null>>;
}

export interface MetricResult {
  readonly metric: MetricName;
  readonly period: Period;
  readonly k: number;
  readonly requested: { readonly from: string; readonly to: string };
  /** The requested range widened to whole periods: what the cells cover. */
  readonly effective: { readonly from: string; readonly to: string };
  readonly groupBy: readonly Dimension[];
  readonly filters: Readonly<Partial<Record<Dimension, string>>>;
  readonly cells: readonly MetricCell[];
  /** Per period, the whole (filtered) population: a cell of the same cube, protected the same way. */
  readonly totals: readonly MetricCell[];
  readonly suppressedCells: number;
  /**
   * The last closed local day. A period is published only once closed, so that its numbers do not move
   * from one day to the next while statements arrive (two answers a day apart would otherwise differ by
   * exactly that day's statements, however few learners sent them).
   */
  readonly closedThrough: string | null;
  /** Periods of the range not closed yet, withheld. */
  readonly openPeriods: readonly string[];
}

interface MetricSpec {
  /** Extra condition on counted statements. */
  readonly where: string;
  /** Aggregate SQL per measure; `learners` is the population the threshold applies to. */
  readonly measures: Readonly<Record<string, string>>;
}

const SPECS: Record<MetricName, MetricSpec> = {
  engagement: {
    where: 'true',
    measures: {
      learners: `toUInt32(uniqExact(lk))`,
      statements: `toUInt32(count())`,
      timeSpentSeconds: `round(sum(dur), 3)`,
    },
  },
  skills: {
    where: `skill != 'unknown'`,
    measures: {
      learners: `toUInt32(uniqExact(lk))`,
      completed: `toUInt32(uniqExactIf(lk, completed))`,
      passed: `toUInt32(uniqExactIf(lk, passed))`,
      // No statement count here: engagement minus skills would give the statements without a skill, a
      // population no cell of the grid protects.
    },
  },
};

const CubeRowSchema = z
  .object({ level: z.enum(PERIODS), period: z.string(), rolled_up: z.number().int() })
  .catchall(z.union([z.string(), z.number()]));

/**
 * Runs a metric over the cube of every period level up to the requested one and every subset of the
 * query's dimensions, over whole months around the range, then decides suppression for the whole cube
 * (suppression.ts) and returns the requested cells and the per-period totals.
 */
export async function runMetric(
  warehouse: Warehouse,
  metric: MetricName,
  query: ParsedMetricQuery,
  k: number,
  /** Last closed local day; periods ending later are withheld (null: none is closed yet). */
  closedThrough: string | null,
): Promise<MetricResult> {
  const spec = SPECS[metric];
  const range = snapRange(query.period, query.from, query.to);
  const dims: Dimension[] = [...query.groupBy, ...(Object.keys(query.filters) as Dimension[])];
  const levels = periodChain(query.period);
  const dimColumns = dims.map((d, i) => `toString(${DIMENSIONS[d]}) AS d${i}`).join(', ');
  const levelArray = levels
    .map((level) => `('${level}', toString(${periodStartSql(level, 'day')}))`)
    .join(', ');
  const measures = Object.entries(spec.measures)
    .map(([name, sql]) => `${sql} AS ${name}`)
    .join(', ');
  // Every subset of the dimensions, in one pass (GROUPING SETS); `grouping(...)` tells which set a row is of.
  const subsets = Array.from({ length: 1 << dims.length }, (_, mask) =>
    ['lvl', ...dims.flatMap((_, i) => ((mask >> i) & 1 ? [`d${i}`] : []))].join(', '),
  );
  const dimList = dims.map((_, i) => `d${i}`).join(', ');
  const sql = `
    SELECT lvl.1 AS level, lvl.2 AS period, ${dims.length > 0 ? `toUInt32(grouping(${dimList}))` : 'toUInt32(0)'} AS rolled_up${dims.length > 0 ? `, ${dims.map((_, i) => `d${i} AS k${i}`).join(', ')}` : ''}, ${measures}
    FROM
    (
      SELECT *, arrayJoin([${levelArray}]) AS lvl
      FROM
      (
        SELECT toDate(timestamp, 'Asia/Shanghai') AS day, ${LEARNER_KEY_SQL} AS lk, ifNull(duration_seconds, 0) AS dur,
          ${COMPLETED_SQL} AS completed, ${PASSED_SQL} AS passed${dimColumns ? `, ${dimColumns}` : ''}
        FROM (${countedStatementsSql(
          `toDate(timestamp, 'Asia/Shanghai') BETWEEN {from:Date} AND {to:Date} AND ${spec.where}`,
        )})
      )
    )
    GROUP BY GROUPING SETS (${subsets.map((set) => `(${set})`).join(', ')})
    SETTINGS force_grouping_standard_compatibility = 1`;
  const rows = await warehouse.query(sql, { from: range.contextFrom, to: range.contextTo }, CubeRowSchema);

  const cells = rows.map((row) => {
    // Standard GROUPING: bit (n-1-i) is set when dimension i is summed over in this row.
    const key = dims.map((_, i) =>
      (row.rolled_up >> (dims.length - 1 - i)) & 1 ? null : String(row[`k${i}`]),
    );
    const values: Record<string, number> = {};
    for (const name of Object.keys(spec.measures)) values[name] = Number(row[name]);
    return { level: row.level, period: row.period, key, learners: values.learners, values };
  });
  const decisions = decideSuppression(cells, k, levels);

  const filterEntries = Object.entries(query.filters) as [Dimension, string][];
  const matchesFilters = (cell: (typeof cells)[number]) =>
    filterEntries.every(([dim, value]) => cell.key[dims.indexOf(dim)] === value);
  const isClosed = (period: string) =>
    closedThrough !== null && periodEndOfKey(query.period, period) <= closedThrough;
  const inRange = (cell: (typeof cells)[number]) =>
    cell.level === query.period &&
    cell.period >= range.from &&
    cell.period <= range.to &&
    isClosed(cell.period);
  const toMetricCell = (cell: (typeof cells)[number] & CubeCell): MetricCell => {
    const hidden = decisions.get(cell) === true;
    const dimensions: Record<string, string> = {};
    query.groupBy.forEach((dim) => (dimensions[dim] = String(cell.key[dims.indexOf(dim)])));
    const values: Record<string, number | null> = {};
    for (const [name, value] of Object.entries(cell.values)) values[name] = hidden ? null : value;
    return {
      period: cell.period,
      periodEnd: periodEndOfKey(query.period, cell.period),
      dimensions,
      suppressed: hidden,
      values,
    };
  };
  const finest = cells.filter((c) => inRange(c) && c.key.every((v) => v !== null) && matchesFilters(c));
  const totals = cells.filter(
    (c) =>
      inRange(c) &&
      c.key.every((v, i) => (query.groupBy.includes(dims[i]) ? v === null : v !== null)) &&
      matchesFilters(c),
  );
  const byPeriodThenKey = (a: MetricCell, b: MetricCell) =>
    a.period.localeCompare(b.period) ||
    JSON.stringify(Object.values(a.dimensions)).localeCompare(JSON.stringify(Object.values(b.dimensions)));
  const published = finest.map(toMetricCell).sort(byPeriodThenKey);
  const totalCells = totals.map(toMetricCell).sort(byPeriodThenKey);
  return {
    metric,
    period: query.period,
    k,
    requested: { from: query.from, to: query.to },
    effective: { from: range.from, to: range.to },
    groupBy: query.groupBy,
    filters: query.filters,
    cells: published,
    totals: totalCells,
    suppressedCells: [...published, ...totalCells].filter((c) => c.suppressed).length,
    closedThrough,
    openPeriods: periodsIn(query.period, range.from, range.to).filter((period) => !isClosed(period)),
  };
}
