import { z } from 'zod';

import type { Warehouse } from '../warehouse.port';
import { readAggregateSql } from './query-sql';

/** A local calendar day (Asia/Shanghai), as the aggregates' `day` column holds it. */
export const LocalDaySchema = z.iso.date();

export const DateRangeSchema = z
  .object({ from: LocalDaySchema, to: LocalDaySchema })
  .refine((range) => range.from <= range.to, { message: '`from` must not be after `to`' });
export type DateRange = z.input<typeof DateRangeSchema>;

export const RecentDaysSchema = z.object({
  days: z.number().int().min(1).max(3660),
  /** Last day of the window (inclusive); default today in Asia/Shanghai. */
  asOf: LocalDaySchema.optional(),
});
export type RecentDays = z.input<typeof RecentDaysSchema>;

const SQL = {
  engagementByTown: readAggregateSql('engagement-by-town'),
  engagementByDay: readAggregateSql('engagement-by-day'),
  activeLearners: readAggregateSql('active-learners'),
  activeLearningPoints: readAggregateSql('active-learning-points'),
  engagementBreakdown: readAggregateSql('engagement-breakdown'),
} as const;

export const TownEngagementRowSchema = z.object({
  town_id: z.string(),
  /** null for a town id the reference data does not know (e.g. 'unattributed'). */
  town_name: z.string().nullable(),
  town_name_en: z.string().nullable(),
  region: z.string().nullable(),
  population: z.number().int().nullable(),
  statement_count: z.number().int().nonnegative(),
  learner_count: z.number().int().nonnegative(),
  time_spent_seconds: z.number().nonnegative(),
  learners_per_1000: z.number().nullable(),
});
export type TownEngagementRow = z.output<typeof TownEngagementRowSchema>;

/**
 * Engagement per town over local days [from, to]; every reference town appears, inactive ones with zeros.
 * `townOf`: 'learning' (default) groups by where the learning happened, 'home' by the learners' home town
 * (per-resident participation rates).
 */
export async function engagementByTown(
  wh: Warehouse,
  params: DateRange & { townOf?: 'learning' | 'home' },
): Promise<TownEngagementRow[]> {
  const { from, to } = DateRangeSchema.parse(params);
  const byHomeTown = z.enum(['learning', 'home']).default('learning').parse(params.townOf) === 'home';
  return wh.query(
    SQL.engagementByTown,
    { from, to, by_home_town: byHomeTown ? 1 : 0 },
    TownEngagementRowSchema,
  );
}

export const DailyEngagementRowSchema = z
  .object({
    day_text: LocalDaySchema,
    statement_count: z.number().int().nonnegative(),
    learner_count: z.number().int().nonnegative(),
    time_spent_seconds: z.number().nonnegative(),
  })
  .transform(({ day_text, ...rest }) => ({ day: day_text, ...rest }));
export type DailyEngagementRow = z.output<typeof DailyEngagementRowSchema>;

/** Engagement per local day in [from, to], optionally for one region; days without statements are absent. */
export async function engagementByDay(
  wh: Warehouse,
  params: DateRange & { region?: string },
): Promise<DailyEngagementRow[]> {
  const { from, to } = DateRangeSchema.parse(params);
  return wh.query(SQL.engagementByDay, { from, to, region: params.region ?? null }, DailyEngagementRowSchema);
}

export const ActiveLearnersSchema = z.object({
  from_day: LocalDaySchema,
  to_day: LocalDaySchema,
  learner_count: z.number().int().nonnegative(),
  statement_count: z.number().int().nonnegative(),
});
export type ActiveLearners = z.output<typeof ActiveLearnersSchema>;

/** Distinct learners active in the `days` local days ending with `asOf` (default today), exact. */
export async function activeLearners(wh: Warehouse, params: RecentDays): Promise<ActiveLearners> {
  const { days, asOf } = RecentDaysSchema.parse(params);
  const [row] = await wh.query(SQL.activeLearners, { days, as_of: asOf ?? null }, ActiveLearnersSchema);
  return row;
}

export const ActiveLearningPointsSchema = z.object({
  from_day: LocalDaySchema,
  to_day: LocalDaySchema,
  active_points: z.number().int().nonnegative(),
  total_points: z.number().int().nonnegative(),
});
export type ActiveLearningPoints = z.output<typeof ActiveLearningPointsSchema>;

/** How many of the reference learning points (dim_learning_points) were active in the window. */
export async function activeLearningPoints(wh: Warehouse, params: RecentDays): Promise<ActiveLearningPoints> {
  const { days, asOf } = RecentDaysSchema.parse(params);
  const [row] = await wh.query(
    SQL.activeLearningPoints,
    { days, as_of: asOf ?? null },
    ActiveLearningPointsSchema,
  );
  return row;
}

/** The dimensions of engagement_daily a breakdown can group by. */
export const ENGAGEMENT_DIMENSIONS = [
  'day',
  'region',
  'town',
  'learning_point_id',
  'source',
  'verb_category',
  'age_band',
  'gender',
  'home_town',
] as const;
export type EngagementDimension = (typeof ENGAGEMENT_DIMENSIONS)[number];

export const EngagementBreakdownParamsSchema = z
  .object({
    from: LocalDaySchema,
    to: LocalDaySchema,
    by: z.array(z.enum(ENGAGEMENT_DIMENSIONS)).refine((by) => new Set(by).size === by.length, {
      message: 'a dimension is listed twice',
    }),
    region: z.string().optional(),
    town: z.string().optional(),
    source: z.string().optional(),
  })
  .refine((range) => range.from <= range.to, { message: '`from` must not be after `to`' });
export type EngagementBreakdownParams = z.input<typeof EngagementBreakdownParamsSchema>;

export type EngagementBreakdownRow = Partial<Record<EngagementDimension, string>> & {
  statement_count: number;
  learner_count: number;
  time_spent_seconds: number;
};

const BreakdownMeasuresSchema = z.object({
  statement_count: z.number().int().nonnegative(),
  learner_count: z.number().int().nonnegative(),
  time_spent_seconds: z.number().nonnegative(),
});

/**
 * Statements, exact distinct learners and time spent over local days [from, to], grouped by any subset of
 * the engagement dimensions (none = one total row), optionally filtered by region, town or source. For the
 * research API and dashboard breakdowns (age band × gender, source × region, ...); small-cell suppression
 * is the caller's job.
 */
export async function engagementBreakdown(
  wh: Warehouse,
  params: EngagementBreakdownParams,
): Promise<EngagementBreakdownRow[]> {
  const { from, to, by, region, town, source } = EngagementBreakdownParamsSchema.parse(params);
  // `day` is selected as text: the Date column would otherwise shadow the WHERE clause's `day`.
  const columns = by.map((dimension) => (dimension === 'day' ? 'toString(day) AS day_text' : dimension));
  const groupBy = by.length === 0 ? 'tuple()' : by.join(', ');
  const sql = SQL.engagementBreakdown
    .replace('__DIMENSIONS__,', columns.length === 0 ? '' : `${columns.join(', ')},`)
    .replaceAll('__DIMENSIONS__', groupBy);
  const schema = BreakdownMeasuresSchema.extend(
    Object.fromEntries(by.map((dimension) => [dimension === 'day' ? 'day_text' : dimension, z.string()])),
  ).transform(
    ({ day_text, ...rest }: Record<string, unknown>) =>
      (day_text === undefined ? rest : { day: day_text, ...rest }) as EngagementBreakdownRow,
  );
  return wh.query(
    sql,
    { from, to, region: region ?? null, town: town ?? null, source: source ?? null },
    schema,
  );
}
