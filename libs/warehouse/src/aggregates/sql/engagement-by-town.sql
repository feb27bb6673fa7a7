-- Engagement per town over local days [from, to]: the town where the learning happened (by_home_town =
-- 0) or the learners' home town (1; the right base for per-resident rates). Every town of dim_towns
-- is included (zero when inactive), plus any town id the aggregates hold that the reference does not know
-- ('unattributed', 'unknown'). learners_per_1000 uses the town's population (illustrative until census).
SELECT
    if(t.town_id IS NULL, a.town_key, t.town_id) AS town_id,
    t.display_name AS town_name,
    t.name_en AS town_name_en,
    t.region AS region,
    t.population AS population,
    toUInt32(ifNull(a.statement_count, 0)) AS statement_count,
    toUInt32(ifNull(a.learner_count, 0)) AS learner_count,
    ifNull(a.time_spent_seconds, 0) AS time_spent_seconds,
    if(t.population > 0, ifNull(a.learner_count, 0) * 1000 / t.population, NULL) AS learners_per_1000
FROM dim_towns AS t
FULL OUTER JOIN
(
    SELECT
        if({by_home_town:UInt8} = 1, home_town, town) AS town_key,
        sum(statement_count) AS statement_count,
        uniqExactMerge(learners) AS learner_count,
        sum(time_spent_seconds) AS time_spent_seconds
    FROM engagement_daily
    WHERE day BETWEEN {from:Date} AND {to:Date}
    GROUP BY town_key
) AS a ON a.town_key = t.town_id
ORDER BY t.seq IS NULL, t.seq, town_id
SETTINGS join_use_nulls = 1
