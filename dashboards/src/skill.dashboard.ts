import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

import { GridLayout, barPanel, statPanel, tablePanel, timeSeriesPanel } from './panels';
import {
  AGE_BAND_LABEL,
  AGE_BAND_ORDER,
  MODULES_CTE,
  REGION_LABEL,
  SKILL_COHORT_CTE,
  SKILL_FILTERS,
  distinctLearners,
  skillProgressCte,
} from './sql';
import { districtDashboard } from './variables';

/** Learners active in the range, per `by` (learner_reach grouping and learner_daily column; same filters as the cohort). */
const activeBy = (by: 'age_band' | 'region') => `active AS
(
  SELECT k1 AS grp, sum(learners) AS learners
  FROM (${distinctLearners({ grouping: by, k1: by, filters: 'engagement' })})
  GROUP BY grp
)`;

/** Attempted/completed/passed shares per module and group (cohort column `cohortBy`, engagement column `by`). */
const sharesBy = (label: string, cohortBy: string, by: 'age_band' | 'region', order: string) => `WITH
${SKILL_COHORT_CTE},
${MODULES_CTE},
${activeBy(by)},
per_group AS
(
  SELECT ${cohortBy} AS grp, skill, count() AS attempted,
    countIf(first_completed IS NOT NULL) AS completed, countIf(first_passed IS NOT NULL) AS passed
  FROM cohort
  GROUP BY grp, skill
)
SELECT
  ${label} AS \`组 · Group\`,
  m.module AS \`模块 · Module\`,
  toUInt32(a.learners) AS \`活跃学习者 · Active learners\`,
  g.attempted / a.learners AS \`尝试 · Attempted\`,
  g.completed / a.learners AS \`完成 · Completed\`,
  g.passed / a.learners AS \`通过 · Passed\`
FROM per_group AS g
INNER JOIN active AS a ON a.grp = g.grp
INNER JOIN modules AS m ON m.skill_id = g.skill
ORDER BY ${order}, m.skill_order`;

/** Cohort counts per skill, before any join (joining 5 modules to the counted rows, not to every learner). */
const PER_SKILL_CTE = `per_skill AS
(
  SELECT skill, count() AS attempted, countIf(first_completed IS NOT NULL) AS completed,
    countIf(first_passed IS NOT NULL) AS passed
  FROM cohort
  GROUP BY skill
)`;

const SHARE_COLUMNS = ['尝试 · Attempted', '完成 · Completed', '通过 · Passed'];

export function skillDashboard(): dashboard.DashboardBuilder {
  const layout = new GridLayout();
  const builder = districtDashboard({
    title: '数字化学习技能 · Digital-learning skill',
    uid: 'jlp-skill',
    description:
      '居民数字化学习技能: the five modules of the computer course, attempted → completed → passed',
    tag: 'skill',
  });

  builder.withPanel(
    barPanel(layout, {
      title: '各模块尝试、完成、通过的学习者比例 · Share of learners who attempted, completed, passed',
      description:
        'Learners who first attempted the module in the range (skill_cohort, progress by now) divided by all learners active in the range (learner_reach or, filtered, learner_daily), same filters.',
      w: 24,
      h: 9,
      unit: 'percentunit',
      sql: `WITH
${SKILL_COHORT_CTE},
${MODULES_CTE},
${PER_SKILL_CTE},
(SELECT sum(learners) FROM (${distinctLearners({ grouping: 'all', k1: "''", filters: 'engagement' })})) AS active
SELECT
  m.module AS \`模块 · Module\`,
  ifNull(s.attempted, 0) / active AS \`尝试 · Attempted\`,
  ifNull(s.completed, 0) / active AS \`完成 · Completed\`,
  ifNull(s.passed, 0) / active AS \`通过 · Passed\`
FROM modules AS m
LEFT JOIN per_skill AS s ON s.skill = m.skill_id
ORDER BY m.skill_order
SETTINGS join_use_nulls = 1`,
    }),
  );
  builder.withPanel(
    tablePanel(layout, {
      title: '按年龄段的技能比例 · Shares by age band',
      description:
        'Per age band (at the first attempt) and module: cohort learners who attempted, completed, passed, divided by the band’s active learners in the range.',
      w: 12,
      h: 12,
      percentColumns: SHARE_COLUMNS,
      sql: sharesBy(AGE_BAND_LABEL('g.grp'), 'learner_age_band', 'age_band', AGE_BAND_ORDER('g.grp')),
    }),
  );
  builder.withPanel(
    tablePanel(layout, {
      title: '按片区的技能比例 · Shares by region',
      description:
        'Per region where the learner started the module and per module: attempted, completed, passed, divided by the region’s active learners in the range.',
      w: 12,
      h: 12,
      percentColumns: SHARE_COLUMNS,
      sql: sharesBy(REGION_LABEL('g.grp'), 'start_region', 'region', 'g.grp'),
    }),
  );
  builder.withPanel(
    barPanel(layout, {
      title: '各模块学习漏斗 · Funnel per module',
      description:
        'Learners who first attempted each module in the range, and how many of them completed and passed it by now (skill_cohort).',
      w: 12,
      h: 9,
      sql: `WITH
${SKILL_COHORT_CTE},
${MODULES_CTE},
${PER_SKILL_CTE}
SELECT
  m.module AS \`模块 · Module\`,
  toUInt32(ifNull(s.attempted, 0)) AS \`尝试 · Attempted\`,
  toUInt32(ifNull(s.completed, 0)) AS \`完成 · Completed\`,
  toUInt32(ifNull(s.passed, 0)) AS \`通过 · Passed\`
FROM modules AS m
LEFT JOIN per_skill AS s ON s.skill = m.skill_id
ORDER BY m.skill_order
SETTINGS join_use_nulls = 1`,
    }),
  );
  builder.withPanel(
    barPanel(layout, {
      title: '各年龄段成绩 · Scores by age band',
      description:
        'Average and median best score (0–100, result.score.scaled × 100) per age band over the cohort’s scored module attempts.',
      w: 12,
      h: 9,
      sql: `WITH
${SKILL_COHORT_CTE}
SELECT
  ${AGE_BAND_LABEL('learner_age_band')} AS \`年龄段 · Age band\`,
  round(avg(best) * 100, 1) AS \`平均分 · Average\`,
  round(median(best) * 100, 1) AS \`中位数 · Median\`
FROM cohort
WHERE best IS NOT NULL
GROUP BY learner_age_band
ORDER BY ${AGE_BAND_ORDER('learner_age_band')}`,
    }),
  );
  builder.withPanel(
    barPanel(layout, {
      title: '从首次尝试到通过的天数(中位数) · Median days from first attempt to pass',
      description:
        'Per module, the median of (first pass − first attempt) in days over cohort learners who have passed (skill_cohort).',
      w: 12,
      h: 9,
      unit: 'd',
      sql: `WITH
${SKILL_COHORT_CTE},
${MODULES_CTE}
SELECT
  m.module AS \`模块 · Module\`,
  round(quantileExact(0.5)(dateDiff('second', c.first_attempt, c.first_passed) / 86400), 2) AS \`中位天数 · Median days\`
FROM cohort AS c
INNER JOIN modules AS m ON m.skill_id = c.skill
WHERE c.first_passed IS NOT NULL
GROUP BY m.skill_order, m.module
ORDER BY m.skill_order`,
    }),
  );
  builder.withPanel(
    timeSeriesPanel(layout, {
      title: '每周通过模块数(按片区) · Module passes per week by region',
      description:
        'Module passes per local week (Monday start) with the pass in the range, split by the region where the learner started the module (skill_cohort).',
      w: 12,
      h: 9,
      stacked: true,
      sql: `WITH
${skillProgressCte({ skills: 'computer-basics' })}
SELECT
  toDateTime(toMonday(toDate(first_passed, 'Asia/Shanghai')), 'Asia/Shanghai') AS time,
  ${REGION_LABEL('start_region')} AS region,
  toUInt32(count()) AS passes
FROM progress
WHERE first_passed IS NOT NULL
  AND $__timeFilter(first_passed)
  AND ${SKILL_FILTERS}
GROUP BY time, region
ORDER BY time, region`,
    }),
  );
  builder.withPanel(
    statPanel(layout, {
      title: '课堂起步后自主在线学习的比例 · Classroom starters who went on to learn online',
      description:
        'Learners whose first statement (any channel) was in a classroom or kiosk in the range, and the share who later used the portal, app or a partner app (classroom_starts: learner_channels as of the last minute; not filtered by place).',
      w: 12,
      h: 9,
      percentColumns: ['比例 · Share'],
      sql: `SELECT
  toUInt32(count()) AS \`课堂起步 · Started in class\`,
  toUInt32(countIf(first_online > first_offline)) AS \`转向在线 · Went online\`,
  countIf(first_online > first_offline) / count() AS \`比例 · Share\`
FROM classroom_starts
WHERE snapshot_at = (SELECT max(snapshot_at) FROM classroom_starts)
  AND $__timeFilter(first_offline)`,
    }),
  );
  return builder;
}
