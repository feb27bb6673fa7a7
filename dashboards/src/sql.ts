/**
 * SQL fragments shared by the panels. Days in the aggregates are local days (Asia/Shanghai): the dashboard
 * range is turned into local days with toDate(..., 'Asia/Shanghai') rather than the plugin's $__dateFilter,
 * which takes the UTC date.
 */

/** `column IN (selected)` unless the variable is All. */
export function when(column: string, variable: string): string {
  return `$__conditionalAll(${column} IN (\${${variable}:singlequote}), $${variable})`;
}

export const LOCAL_FROM = `toDate($__fromTime, 'Asia/Shanghai')`;
export const LOCAL_TO = `toDate($__toTime, 'Asia/Shanghai')`;
export const DAY_IN_RANGE = `day BETWEEN ${LOCAL_FROM} AND ${LOCAL_TO}`;

/** learner_daily rows of the selected place, age band and source (place = where the learning happened). */
export const ENGAGEMENT_FILTERS = [
  when('region', 'region'),
  when('town', 'town'),
  when('learning_point_id', 'point'),
  when('age_band', 'age_band'),
  when('source', 'source'),
].join('\n  AND ');

/** The variables ENGAGEMENT_FILTERS and PEOPLE_FILTERS read. */
export const ENGAGEMENT_VARIABLES = ['region', 'town', 'point', 'age_band', 'source'] as const;
export const PEOPLE_VARIABLES = ['age_band', 'source'] as const;

/**
 * A condition true exactly when every one of `variables` is All (each `$__conditionalAll` becomes `1=1`
 * then, else `0`): picks between learner_reach, which answers the unfiltered question only, and
 * learner_daily. The branch whose condition is constant false reads no rows.
 */
export function allSelected(variables: readonly string[]): string {
  return variables.map((v) => `$__conditionalAll(0, $${v})`).join(' AND ');
}

/** learner_reach groupings (migration 0014). */
export type ReachGrouping =
  'all' | 'town' | 'region' | 'point' | 'home_town' | 'home_region' | 'age_band' | 'age_gender';

export interface DistinctLearnersSpec {
  readonly grouping: ReachGrouping;
  /** learner_daily expressions giving learner_reach's k1 and k2 for this grouping ('' when unused). */
  readonly k1: string;
  readonly k2?: string;
  /** Which dashboard filters apply: place and people, or people only. */
  readonly filters: 'engagement' | 'people';
  /** First and last local day (SQL Date expressions). */
  readonly from?: string;
  readonly to?: string;
  /** Count per local week (Monday) within the range: adds a `week` column. */
  readonly weekly?: boolean;
  /** What to count in learner_daily: learners, or (grouping 'point') learning points. */
  readonly counted?: string;
}

/**
 * Distinct learners per k1, k2 (and week) over the dashboard's local days, as rows (k1, k2[, week], learners).
 * Unfiltered: the learners of learner_reach whose previous active day under the same key is before the range
 * (or before the week), a range read without a hash set; with any selection: uniqExact over learner_daily.
 * Both give the same numbers (tested).
 */
export function distinctLearners(spec: DistinctLearnersSpec): string {
  const from = spec.from ?? LOCAL_FROM;
  const to = spec.to ?? LOCAL_TO;
  const all = allSelected(spec.filters === 'engagement' ? ENGAGEMENT_VARIABLES : PEOPLE_VARIABLES);
  const filters = spec.filters === 'engagement' ? ENGAGEMENT_FILTERS : PEOPLE_FILTERS;
  const week = spec.weekly ? 'toMonday(day) AS week, ' : '';
  const firstDay = spec.weekly ? `greatest(${from}, toMonday(day))` : from;
  return `SELECT ${week}k1, k2, sum(learners) AS learners
    FROM learner_reach
    WHERE ${all}
      AND grouping = '${spec.grouping}' AND day BETWEEN ${from} AND ${to} AND prev < ${firstDay}
    GROUP BY ${week ? 'week, ' : ''}k1, k2
    UNION ALL
    SELECT ${week}toString(${spec.k1}) AS k1, ${spec.k2 === undefined ? "''" : `toString(${spec.k2})`} AS k2,
      uniqExact(${spec.counted ?? 'learner'}) AS learners
    FROM learner_daily
    WHERE NOT (${all})
      AND day BETWEEN ${from} AND ${to}
      AND ${filters}
    GROUP BY ${week ? 'week, ' : ''}k1, k2`;
}

/** The same without place: for per-resident rates by home town, where the place of learning does not matter. */
export const PEOPLE_FILTERS = [when('age_band', 'age_band'), when('source', 'source')].join('\n  AND ');

/**
 * One row per (skill, learner): first attempt, completion, pass, best score and where and how the learner
 * started the skill, from the newest snapshot of skill_cohort (migration 0013: skill_progress merged by a
 * view refreshed every minute), so a panel reads a range of the sorting key instead of merging every
 * learner's partial rows and argMin states of skill_progress.
 */
export function skillProgressCte(options: { skills: 'computer-basics' | 'all' }): string {
  const skills =
    options.skills === 'all'
      ? "skill != 'unknown'"
      : "skill IN (SELECT skill_id FROM dim_skills WHERE course_id = 'computer-basics')";
  return `progress AS
(
  SELECT
    skill, learner_key, first_attempt, first_completed, first_passed, best,
    start_region, start_town, start_point, start_source, learner_age_band
  FROM skill_cohort
  WHERE snapshot_at = (SELECT max(snapshot_at) FROM skill_cohort)
    AND ${skills}
)`;
}

/** progress rows of the selected place, age band and source, without the time condition. */
export const SKILL_FILTERS = [
  when('start_region', 'region'),
  when('start_town', 'town'),
  when('start_point', 'point'),
  when('learner_age_band', 'age_band'),
  when('start_source', 'source'),
].join('\n    AND ');

/** The cohort: learners who first attempted a skill in the dashboard range (progress counted by now). */
export const SKILL_COHORT_CTE = `${skillProgressCte({ skills: 'computer-basics' })},
cohort AS
(
  SELECT * FROM progress
  WHERE $__timeFilter(first_attempt)
    AND ${SKILL_FILTERS}
)`;

/** The five modules in catalogue order, with a `中文 · English` label. */
export const MODULES_CTE = `modules AS
(
  SELECT skill_id, skill_order, concat(toString(skill_order), '. ', name_zh, ' · ', name_en) AS module
  FROM dim_skills
  WHERE course_id = 'computer-basics'
)`;

export const AGE_BAND_LABEL = (c: string) => `multiIf(
    ${c} = 'under-18', '18岁以下 · <18', ${c} = '18-29', '18–29岁', ${c} = '30-44', '30–44岁',
    ${c} = '45-59', '45–59岁', ${c} = '60-69', '60–69岁', ${c} = '70-79', '70–79岁',
    ${c} = '80+', '80岁及以上 · 80+', '未知 · Unknown')`;

/** Sort key of an age band (unknown last). */
export const AGE_BAND_ORDER = (c: string) =>
  `indexOf(['under-18', '18-29', '30-44', '45-59', '60-69', '70-79', '80+', 'unknown'], ${c})`;

export const REGION_LABEL = (column: string) =>
  `multiIf(${column} = 'east', '东部 · East', ${column} = 'west', '西部 · West', '未知 · Unknown')`;
