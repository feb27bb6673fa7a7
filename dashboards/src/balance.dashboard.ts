import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

import { GridLayout, barPanel, statPanel, tablePanel, timeSeriesPanel } from './panels';
import {
  AGE_BAND_LABEL,
  AGE_BAND_ORDER,
  LOCAL_FROM,
  LOCAL_TO,
  REGION_LABEL,
  distinctLearners,
  when,
} from './sql';
import { districtDashboard } from './variables';

/** West or east by the learner's home town (dim_towns), as learner_reach's 'home_region' grouping. */
const HOME_REGION = `multiIf(
    home_town IN (SELECT town_id FROM dim_towns WHERE region = 'west'), 'west',
    home_town IN (SELECT town_id FROM dim_towns WHERE region = 'east'), 'east', '')`;

/** female, male, or other (any other or unknown gender), as learner_reach's 'age_gender' grouping. */
const GENDER_GROUP = "multiIf(gender = 'female', 'female', gender = 'male', 'male', 'other')";

/**
 * Per local week and home town (all reference towns, zeros included): learners, population and the region
 * totals the Theil decomposition needs. Learners live in one home town, so town counts add up to region totals.
 */
const WEEKLY_TOWN_GRID = `towns AS
(
  SELECT town_id, region, toFloat64(population) AS population FROM dim_towns WHERE population > 0
),
weekly AS
(
  SELECT week, k1 AS home_town, toFloat64(sum(learners)) AS learners
  FROM (${distinctLearners({ grouping: 'home_town', k1: 'home_town', filters: 'people', weekly: true })})
  WHERE home_town IN (SELECT town_id FROM towns)
  GROUP BY week, home_town
),
grid AS
(
  SELECT
    w.week AS week, t.town_id AS town_id, t.region AS region, t.population AS population,
    ifNull(x.learners, 0) AS learners,
    sum(ifNull(x.learners, 0)) OVER (PARTITION BY w.week) AS total_learners,
    sum(t.population) OVER (PARTITION BY w.week) AS total_population,
    sum(ifNull(x.learners, 0)) OVER (PARTITION BY w.week, t.region) AS region_learners,
    sum(t.population) OVER (PARTITION BY w.week, t.region) AS region_population
  -- Every week of the range (weeks without learners drop out by HAVING): weekly is computed once.
  FROM (SELECT DISTINCT toMonday(${LOCAL_FROM} + number) AS week FROM numbers(toUInt64(${LOCAL_TO} - ${LOCAL_FROM}) + 1)) AS w
  CROSS JOIN towns AS t
  LEFT JOIN weekly AS x ON x.week = w.week AND x.home_town = t.town_id
  SETTINGS join_use_nulls = 1
)`;

export function balanceDashboard(): dashboard.DashboardBuilder {
  const layout = new GridLayout();
  const builder = districtDashboard({
    title: '发展平衡 · Development balance',
    uid: 'jlp-balance',
    description: '发展程度不够平衡: participation by place and group, east vs west, inequality across towns',
    tag: 'balance',
  });

  builder.withPanel(
    barPanel(layout, {
      title: '每千名居民参与人数(按街镇) · Learners per 1,000 residents by town',
      description:
        'Distinct learners in the range by home town (learner_reach; learner_daily when a filter is set) × 1,000 ÷ town population (dim_towns, illustrative until census); east and west in separate colours.',
      w: 16,
      h: 10,
      // One of the two columns is null per town: stacking puts each town's bar in the middle of its slot.
      stacked: true,
      sql: `SELECT
  concat(if(t.region = 'west', '西 ', '东 '), t.display_name) AS \`街镇 · Town\`,
  if(t.region = 'east', ifNull(a.learners, 0) * 1000 / t.population, NULL) AS \`东部 · East\`,
  if(t.region = 'west', ifNull(a.learners, 0) * 1000 / t.population, NULL) AS \`西部 · West\`
FROM dim_towns AS t
LEFT JOIN
(
  SELECT k1 AS home_town, sum(learners) AS learners
  FROM (${distinctLearners({ grouping: 'home_town', k1: 'home_town', filters: 'people' })})
  GROUP BY home_town
) AS a ON a.home_town = t.town_id
WHERE t.population > 0
  AND ${when('t.region', 'region')}
  AND ${when('t.town_id', 'town')}
ORDER BY t.region, t.seq
SETTINGS join_use_nulls = 1`,
    }),
  );
  builder.withPanel(
    statPanel(layout, {
      title: '近30天活跃学习点 · Learning points active in the last 30 days',
      description:
        'Reference learning points (dim_learning_points, 176) with any statement in the 30 local days ending at the range end (learner_daily), of the selected region and towns.',
      w: 8,
      h: 10,
      percentColumns: ['比例 · Share'],
      sql: `WITH points AS
(
  SELECT learning_point_id FROM dim_learning_points
  WHERE ${when('region', 'region')}
    AND ${when('town_id', 'town')}
)
SELECT
  toUInt32(uniqExactIf(learning_point_id, learning_point_id IN (SELECT learning_point_id FROM points))) AS \`活跃 · Active\`,
  toUInt32((SELECT count() FROM points)) AS \`总数 · Total\`,
  \`活跃 · Active\` / \`总数 · Total\` AS \`比例 · Share\`
FROM learner_daily
WHERE day BETWEEN ${LOCAL_TO} - 29 AND ${LOCAL_TO}`,
    }),
  );
  builder.withPanel(
    timeSeriesPanel(layout, {
      title: '西部/东部参与率之比 · West/east participation ratio',
      description:
        'Per local week: (west learners ÷ west population) ÷ (east learners ÷ east population), learners by home town (learner_reach or, filtered, learner_daily; dim_towns); 1 = balanced.',
      w: 12,
      h: 9,
      sql: `WITH
  (SELECT sumIf(population, region = 'west') FROM dim_towns) AS west_population,
  (SELECT sumIf(population, region = 'east') FROM dim_towns) AS east_population
SELECT
  time,
  (west / west_population) / (east / east_population) AS \`西/东 · West/east\`
FROM
(
  SELECT
    toDateTime(week, 'Asia/Shanghai') AS time,
    sumIf(learners, k1 = 'west') AS west,
    sumIf(learners, k1 = 'east') AS east
  FROM (${distinctLearners({ grouping: 'home_region', k1: HOME_REGION, filters: 'people', weekly: true })})
  GROUP BY time
)
WHERE east > 0
ORDER BY time`,
    }),
  );
  builder.withPanel(
    timeSeriesPanel(layout, {
      title: '街镇间基尼系数 · Gini index across towns',
      description:
        'Per local week: population-weighted Gini of the towns’ participation rates (learners by home town ÷ population), ΣΣ pᵢpⱼ|rᵢ−rⱼ| ÷ (2·P·L); 0 = equal.',
      w: 12,
      h: 9,
      sql: `WITH
${WEEKLY_TOWN_GRID}
SELECT
  toDateTime(week, 'Asia/Shanghai') AS time,
  arraySum(arrayMap((pi, ri) -> arraySum(arrayMap((pj, rj) -> pi * pj * abs(ri - rj), groupArray(population), groupArray(learners / population))), groupArray(population), groupArray(learners / population)))
    / (2 * any(total_population) * any(total_learners)) AS \`基尼 · Gini\`
FROM grid
GROUP BY week
HAVING any(total_learners) > 0
ORDER BY time`,
    }),
  );
  builder.withPanel(
    timeSeriesPanel(layout, {
      title: '泰尔指数(区域间+区域内) · Theil index, between and within regions',
      description:
        'Per local week: Theil T of town participation rates weighted by learners, split exactly into between east/west and within-region parts (stacked; their sum is the total).',
      w: 12,
      h: 9,
      stacked: true,
      sql: `WITH
${WEEKLY_TOWN_GRID}
SELECT
  toDateTime(week, 'Asia/Shanghai') AS time,
  sumIf(learners / total_learners * ln((region_learners / region_population) / (total_learners / total_population)), learners > 0)
    AS \`区域间 · Between regions\`,
  sumIf(learners / total_learners * ln((learners / population) / (region_learners / region_population)), learners > 0)
    AS \`区域内 · Within regions\`
FROM grid
GROUP BY week
HAVING any(total_learners) > 0
ORDER BY time`,
    }),
  );
  builder.withPanel(
    barPanel(layout, {
      title: '学习者年龄段与性别 · Learners by age band and gender',
      description:
        'Distinct learners in the range per age band and gender (learner_reach or, filtered, learner_daily; demographics from the learner registry), stacked by gender.',
      w: 12,
      h: 9,
      stacked: true,
      sql: `SELECT
  ${AGE_BAND_LABEL('age_band')} AS \`年龄段 · Age band\`,
  toUInt32(sumIf(learners, gender = 'female')) AS \`女 · Female\`,
  toUInt32(sumIf(learners, gender = 'male')) AS \`男 · Male\`,
  toUInt32(sumIf(learners, gender = 'other')) AS \`其他/未知 · Other/unknown\`
FROM
(
  SELECT k1 AS age_band, k2 AS gender, learners
  FROM (${distinctLearners({ grouping: 'age_gender', k1: 'age_band', k2: GENDER_GROUP, filters: 'engagement' })})
)
GROUP BY age_band
ORDER BY ${AGE_BAND_ORDER('age_band')}`,
    }),
  );
  builder.withPanel(
    tablePanel(layout, {
      title: '近30天无活动的学习点 · Learning points silent in the last 30 days',
      description:
        'Reference learning points without any statement in the 30 local days ending at the range end (dim_learning_points minus learner_daily).',
      w: 12,
      h: 10,
      sql: `SELECT
  p.learning_point_id AS \`编号 · Id\`,
  p.name AS \`学习点 · Learning point\`,
  t.display_name AS \`街镇 · Town\`,
  ${REGION_LABEL('p.region')} AS \`片区 · Region\`,
  p.school_name AS \`社区学校 · School\`
FROM dim_learning_points AS p
LEFT JOIN dim_towns AS t ON t.town_id = p.town_id
WHERE p.learning_point_id NOT IN
  (SELECT DISTINCT learning_point_id FROM learner_daily WHERE day BETWEEN ${LOCAL_TO} - 29 AND ${LOCAL_TO})
  AND ${when('p.region', 'region')}
  AND ${when('p.town_id', 'town')}
ORDER BY t.seq, p.learning_point_id`,
    }),
  );
  builder.withPanel(
    tablePanel(layout, {
      title: '2015年经费与活跃学习者(按街镇) · 2015 funding per active learner by town',
      description:
        'Stated 2015 community-education spending of the town (dim_towns, 万元 × 10,000 CNY) ÷ distinct learners living there active in the range; 2015 funding, not current budgets.',
      w: 12,
      h: 10,
      sql: `SELECT
  t.display_name AS \`街镇 · Town\`,
  ${REGION_LABEL('t.region')} AS \`片区 · Region\`,
  t.spending_2015_wan_cny AS \`2015年经费(万元) · 2015 funding (10k CNY)\`,
  toUInt32(ifNull(a.learners, 0)) AS \`活跃学习者 · Active learners\`,
  if(ifNull(a.learners, 0) > 0, t.spending_2015_wan_cny * 10000 / a.learners, NULL) AS \`2015年经费/人(元) · 2015 funding per learner (CNY)\`
FROM dim_towns AS t
LEFT JOIN
(
  SELECT k1 AS home_town, sum(learners) AS learners
  FROM (${distinctLearners({ grouping: 'home_town', k1: 'home_town', filters: 'people' })})
  GROUP BY home_town
) AS a ON a.home_town = t.town_id
WHERE ${when('t.region', 'region')}
  AND ${when('t.town_id', 'town')}
ORDER BY t.seq
SETTINGS join_use_nulls = 1`,
    }),
  );
  return builder;
}
