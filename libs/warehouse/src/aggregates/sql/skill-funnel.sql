-- Skill funnel per skill of dim_skills for the cohort of learners whose first statement on the skill
-- falls on a local day in [from, to], optionally only learners who started in one region (NULL = all).
-- completed / passed count what the cohort reached by the end of `to` (so a past period's report does
-- not change later). A pass implies completion (0005), so attempted >= completed >= passed.
WITH
    toDateTime64(toDateTime({to:Date} + 1, 'Asia/Shanghai'), 6, 'UTC') AS period_end,
    progress AS
    (
        SELECT
            skill,
            learner_key,
            min(first_attempt_at) AS first_attempt,
            min(first_completed_at) AS first_completed,
            min(first_passed_at) AS first_passed,
            max(best_score) AS best,
            argMinMerge(first_region) AS start_region
        FROM skill_progress
        GROUP BY skill, learner_key
    )
SELECT
    s.skill_id AS skill_id,
    s.skill_order AS skill_order,
    s.name_zh AS name_zh,
    s.name_en AS name_en,
    toUInt32(count(c.learner_key)) AS attempted,
    toUInt32(countIf(c.first_completed < period_end)) AS completed,
    toUInt32(countIf(c.first_passed < period_end)) AS passed,
    avgOrNull(c.best) AS average_best_score,
    quantileExactIfOrNull(0.5)(
        dateDiff('second', c.first_attempt, c.first_passed) / 86400,
        c.first_passed < period_end
    ) AS median_days_to_pass
FROM dim_skills AS s
LEFT JOIN
(
    SELECT *
    FROM progress
    WHERE toDate(first_attempt, 'Asia/Shanghai') BETWEEN {from:Date} AND {to:Date}
        AND ({region:Nullable(String)} IS NULL OR start_region = {region:Nullable(String)})
) AS c ON c.skill = s.skill_id
GROUP BY s.skill_id, s.skill_order, s.name_zh, s.name_en
ORDER BY s.skill_order, s.skill_id
SETTINGS join_use_nulls = 1
