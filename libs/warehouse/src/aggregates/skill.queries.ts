import { z } from 'zod';

import type { Warehouse } from '../warehouse.port';
import { DateRangeSchema, type DateRange } from './engagement.queries';
import { readAggregateSql } from './query-sql';

const SQL = {
  skillFunnel: readAggregateSql('skill-funnel'),
  classroomToOnline: readAggregateSql('classroom-to-online'),
} as const;

export const SkillFunnelRowSchema = z.object({
  skill_id: z.string(),
  skill_order: z.number().int(),
  name_zh: z.string(),
  name_en: z.string(),
  attempted: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  /** Mean of the cohort's best scaled scores; null when nobody has a score. */
  average_best_score: z.number().nullable(),
  /** Median days from first attempt to first pass among those who passed; null when nobody passed. */
  median_days_to_pass: z.number().nullable(),
});
export type SkillFunnelRow = z.output<typeof SkillFunnelRowSchema>;

/**
 * Attempted → completed → passed per skill (every skill of dim_skills, in catalogue order) for learners
 * who first attempted it on a local day in [from, to], optionally only those who started in `region`.
 */
export async function skillFunnel(
  wh: Warehouse,
  params: DateRange & { region?: string },
): Promise<SkillFunnelRow[]> {
  const { from, to } = DateRangeSchema.parse(params);
  return wh.query(SQL.skillFunnel, { from, to, region: params.region ?? null }, SkillFunnelRowSchema);
}

export const ClassroomToOnlineSchema = z.object({
  /** Learners whose first statement on any channel was in a classroom or at a kiosk, in the period. */
  started_offline: z.number().int().nonnegative(),
  /** Of those, learners who later used the portal, the app or a partner app. */
  continued_online: z.number().int().nonnegative(),
});
export type ClassroomToOnline = z.output<typeof ClassroomToOnlineSchema>;

/** The "started in a classroom, then learned online on their own" view. */
export async function classroomToOnline(wh: Warehouse, range: DateRange): Promise<ClassroomToOnline> {
  const { from, to } = DateRangeSchema.parse(range);
  const [row] = await wh.query(SQL.classroomToOnline, { from, to }, ClassroomToOnlineSchema);
  return row;
}
