import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

import { GridLayout, statPanel, tablePanel, timeSeriesPanel } from './panels';
import {
  DAY_IN_RANGE,
  ENGAGEMENT_FILTERS,
  ENGAGEMENT_VARIABLES,
  allSelected,
  distinctLearners,
  LOCAL_TO,
  REGION_LABEL,
  SKILL_FILTERS,
  skillProgressCte,
  when,
} from './sql';
import { districtDashboard } from './variables';

export function overviewDashboard(): dashboard.DashboardBuilder {
  const layout = new GridLayout();
  const builder = districtDashboard({
    title: '总览 · Overview',
    uid: 'jlp-overview',
    description: '九龙坡社区数字化学习: who is learning, where, through which channel, on what',
    tag: 'overview',
  });

  builder.withPanel(
    statPanel(layout, {
      title: '活跃学习者 · Active learners',
      description:
        'Distinct learners with any statement on the last local day of the range, in its last 7 and last 30 days (learner_reach; learner_daily when a filter is set).',
      w: 10,
      h: 6,
      sql: `SELECT
  toUInt32(sum(today)) AS \`今天 · Today\`,
  toUInt32(sum(week)) AS \`7天 · 7 days\`,
  toUInt32(sum(month)) AS \`30天 · 30 days\`
FROM
(
  -- Unfiltered: a learner counts in a window on its first day there (learner_reach, migration 0014).
  SELECT
    sumIf(learners, day = ${LOCAL_TO}) AS today,
    sumIf(learners, day > ${LOCAL_TO} - 7 AND prev <= ${LOCAL_TO} - 7) AS week,
    sumIf(learners, prev < ${LOCAL_TO} - 29) AS month
  FROM learner_reach
  WHERE ${allSelected(ENGAGEMENT_VARIABLES)}
    AND grouping = 'all' AND day BETWEEN ${LOCAL_TO} - 29 AND ${LOCAL_TO}
  UNION ALL
  SELECT uniqExactIf(learner, day = ${LOCAL_TO}), uniqExactIf(learner, day > ${LOCAL_TO} - 7), uniqExact(learner)
  FROM learner_daily
  WHERE NOT (${allSelected(ENGAGEMENT_VARIABLES)})
    AND day BETWEEN ${LOCAL_TO} - 29 AND ${LOCAL_TO}
    AND ${ENGAGEMENT_FILTERS}
)`,
    }),
  );
  builder.withPanel(
    timeSeriesPanel(layout, {
      title: '各来源学习记录数 · Statements by source',
      description: 'xAPI statements per local day and source channel (learner_daily, event time).',
      w: 14,
      h: 6,
      stacked: true,
      sql: `SELECT
  toDateTime(day, 'Asia/Shanghai') AS time,
  source,
  toUInt32(sum(statement_count)) AS statements
FROM learner_daily
WHERE ${DAY_IN_RANGE}
  AND ${ENGAGEMENT_FILTERS}
GROUP BY time, source
ORDER BY time, source`,
    }),
  );
  builder.withPanel(
    tablePanel(layout, {
      title: '街镇一览 · Towns',
      description:
        'Per town where the learning happened: statements, distinct learners, hours of recorded learning time and active learning points in the range (learner_daily; distinct counts from learner_reach when no filter is set; dim_towns).',
      w: 14,
      h: 12,
      sql: `SELECT
  t.display_name AS \`街镇 · Town\`,
  t.name_en AS \`Town\`,
  ${REGION_LABEL('t.region')} AS \`片区 · Region\`,
  t.population AS \`人口 · Population\`,
  toUInt32(ifNull(a.statements, 0)) AS \`学习记录 · Statements\`,
  toUInt32(ifNull(l.learners, 0)) AS \`学习者 · Learners\`,
  round(ifNull(a.seconds, 0) / 3600, 1) AS \`学习时长(小时) · Hours\`,
  toUInt32(ifNull(p.points, 0)) AS \`活跃学习点 · Active points\`,
  t.learning_point_count AS \`学习点 · Points\`
FROM dim_towns AS t
LEFT JOIN
(
  SELECT town, sum(statement_count) AS statements, sum(time_spent_seconds) AS seconds
  FROM learner_daily
  WHERE ${DAY_IN_RANGE}
    AND ${ENGAGEMENT_FILTERS}
  GROUP BY town
) AS a ON a.town = t.town_id
LEFT JOIN
(
  SELECT k1 AS town, sum(learners) AS learners
  FROM (${distinctLearners({ grouping: 'town', k1: 'town', filters: 'engagement' })})
  GROUP BY town
) AS l ON l.town = t.town_id
LEFT JOIN
(
  SELECT k1 AS town, sum(learners) AS points
  FROM (${distinctLearners({ grouping: 'point', k1: 'town', filters: 'engagement', counted: 'learning_point_id' })})
  GROUP BY town
) AS p ON p.town = t.town_id
WHERE ${when('t.region', 'region')}
  AND ${when('t.town_id', 'town')}
ORDER BY t.seq
SETTINGS join_use_nulls = 1`,
    }),
  );
  builder.withPanel(
    tablePanel(layout, {
      title: '热门课程模块 · Top course modules',
      description:
        'Course modules by learners who first attempted them in the range, with how many of those passed by now (skill_cohort, dim_skills).',
      w: 10,
      h: 12,
      sql: `WITH
${skillProgressCte({ skills: 'all' })}
SELECT
  concat(s.course_name_zh, ' ', toString(s.skill_order), '. ', s.name_zh) AS \`模块 · Module\`,
  s.name_en AS \`Module\`,
  toUInt32(count()) AS \`学习者 · Learners\`,
  toUInt32(countIf(p.first_passed IS NOT NULL)) AS \`通过 · Passed\`
FROM progress AS p
INNER JOIN dim_skills AS s ON s.skill_id = p.skill
WHERE $__timeFilter(p.first_attempt)
  AND ${SKILL_FILTERS}
GROUP BY s.course_name_zh, s.skill_order, s.name_zh, s.name_en
ORDER BY \`学习者 · Learners\` DESC
LIMIT 10`,
    }),
  );
  return builder;
}
