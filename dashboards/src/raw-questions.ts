/**
 * A representative set of panel questions asked of the raw `statements` table instead of the aggregates:
 * same macros, variables and result, computed from one row per statement. The benchmark times both (the
 * ratio shows what the aggregates buy) and the panel test checks that both give the same answer, so the
 * aggregate panels are shown to count what they claim.
 *
 * The rows the views count: voiding statements excluded (as in migrations 0004-0006); the learner key as the
 * views build it. No FINAL: the sink never writes an id twice, so the aggregates do not deduplicate either.
 */
import { AGE_BAND_LABEL, AGE_BAND_ORDER, LOCAL_TO, MODULES_CTE, when } from './sql';

export interface RawQuestion {
  readonly dashboard: string;
  /** The start of the panel's title. */
  readonly panel: string;
  readonly rawSql: string;
}

const LEARNER_KEY = `if(learner_id != '', learner_id, concat('actor:', lower(hex(SHA256(actor_key)))))`;
const COUNTED = `voiding_target IS NULL AND verb_id != 'http://adlnet.gov/expapi/verbs/voided'`;
const LOCAL_DAY = `toDate(timestamp, 'Asia/Shanghai')`;
const RAW_DAY_IN_RANGE = `${LOCAL_DAY} BETWEEN toDate($__fromTime, 'Asia/Shanghai') AND ${LOCAL_TO}`;
const RAW_ENGAGEMENT_FILTERS = [
  when('region', 'region'),
  when('town', 'town'),
  when('learning_point_id', 'point'),
  when('age_band', 'age_band'),
  when('source', 'source'),
].join('\n  AND ');

export const RAW_QUESTIONS: readonly RawQuestion[] = [
  {
    dashboard: 'overview',
    panel: '活跃学习者',
    rawSql: `SELECT
  toUInt32(uniqExactIf(${LEARNER_KEY}, ${LOCAL_DAY} = ${LOCAL_TO})) AS \`今天 · Today\`,
  toUInt32(uniqExactIf(${LEARNER_KEY}, ${LOCAL_DAY} > ${LOCAL_TO} - 7)) AS \`7天 · 7 days\`,
  toUInt32(uniqExact(${LEARNER_KEY})) AS \`30天 · 30 days\`
FROM statements
WHERE ${LOCAL_DAY} BETWEEN ${LOCAL_TO} - 29 AND ${LOCAL_TO}
  AND ${COUNTED}
  AND ${RAW_ENGAGEMENT_FILTERS}`,
  },
  {
    dashboard: 'overview',
    panel: '各来源学习记录数',
    rawSql: `SELECT
  toDateTime(${LOCAL_DAY}, 'Asia/Shanghai') AS time,
  source,
  toUInt32(count()) AS statements
FROM statements
WHERE ${RAW_DAY_IN_RANGE}
  AND ${COUNTED}
  AND ${RAW_ENGAGEMENT_FILTERS}
GROUP BY time, source
ORDER BY time, source`,
  },
  {
    dashboard: 'balance',
    panel: '每千名居民参与人数',
    rawSql: `SELECT
  concat(if(t.region = 'west', '西 ', '东 '), t.display_name) AS \`街镇 · Town\`,
  if(t.region = 'east', ifNull(a.learners, 0) * 1000 / t.population, NULL) AS \`东部 · East\`,
  if(t.region = 'west', ifNull(a.learners, 0) * 1000 / t.population, NULL) AS \`西部 · West\`
FROM dim_towns AS t
LEFT JOIN
(
  SELECT home_town, uniqExact(${LEARNER_KEY}) AS learners
  FROM statements
  WHERE ${RAW_DAY_IN_RANGE}
    AND ${COUNTED}
    AND ${when('age_band', 'age_band')}
    AND ${when('source', 'source')}
  GROUP BY home_town
) AS a ON a.home_town = t.town_id
WHERE t.population > 0
  AND ${when('t.region', 'region')}
  AND ${when('t.town_id', 'town')}
ORDER BY t.region, t.seq
SETTINGS join_use_nulls = 1`,
  },
  {
    dashboard: 'balance',
    panel: '学习者年龄段与性别',
    rawSql: `SELECT
  ${AGE_BAND_LABEL('age_band')} AS \`年龄段 · Age band\`,
  toUInt32(uniqExactIf(${LEARNER_KEY}, gender = 'female')) AS \`女 · Female\`,
  toUInt32(uniqExactIf(${LEARNER_KEY}, gender = 'male')) AS \`男 · Male\`,
  toUInt32(uniqExactIf(${LEARNER_KEY}, gender NOT IN ('female', 'male'))) AS \`其他/未知 · Other/unknown\`
FROM statements
WHERE ${RAW_DAY_IN_RANGE}
  AND ${COUNTED}
  AND ${RAW_ENGAGEMENT_FILTERS}
GROUP BY age_band
ORDER BY ${AGE_BAND_ORDER('age_band')}`,
  },
  {
    dashboard: 'skill',
    panel: '各模块学习漏斗',
    rawSql: `WITH
progress AS
(
  SELECT
    skill,
    ${LEARNER_KEY} AS learner_key,
    min(timestamp) AS first_attempt,
    minIf(toNullable(timestamp), ifNull(completion, false) OR ifNull(success, false) OR verb_category IN ('completed', 'passed')) AS first_completed,
    minIf(toNullable(timestamp), ifNull(success, false) OR verb_category = 'passed') AS first_passed,
    argMin(region, timestamp) AS start_region,
    argMin(town, timestamp) AS start_town,
    argMin(learning_point_id, timestamp) AS start_point,
    argMin(source, timestamp) AS start_source,
    argMin(age_band, timestamp) AS learner_age_band
  FROM statements
  WHERE skill IN (SELECT skill_id FROM dim_skills WHERE course_id = 'computer-basics')
    AND ${COUNTED}
  GROUP BY skill, learner_key
),
cohort AS
(
  SELECT * FROM progress
  WHERE $__timeFilter(first_attempt)
    AND ${when('start_region', 'region')}
    AND ${when('start_town', 'town')}
    AND ${when('start_point', 'point')}
    AND ${when('learner_age_band', 'age_band')}
    AND ${when('start_source', 'source')}
),
${MODULES_CTE}
SELECT
  m.module AS \`模块 · Module\`,
  toUInt32(countIf(c.learner_key != '')) AS \`尝试 · Attempted\`,
  toUInt32(countIf(c.first_completed IS NOT NULL)) AS \`完成 · Completed\`,
  toUInt32(countIf(c.first_passed IS NOT NULL)) AS \`通过 · Passed\`
FROM modules AS m
LEFT JOIN cohort AS c ON c.skill = m.skill_id
GROUP BY m.skill_order, m.module
ORDER BY m.skill_order
SETTINGS join_use_nulls = 1`,
  },
];
