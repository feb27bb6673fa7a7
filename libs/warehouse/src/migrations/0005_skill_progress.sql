-- 0005: skill progress per learner and skill, fed by a materialized view on `statements`.
--
-- One row per (skill, learner key) after merging (learner key as in 0004). Only statements whose activity
-- maps to a skill (skill != 'unknown') count; voiding statements are skipped (see 0004).
--   attempted  = the row exists (any statement on the skill)
--   completed  = first_completed_at IS NOT NULL: completion = true, verb category completed or passed, or
--                passed (a pass implies completion, so the funnel attempted >= completed >= passed holds)
--   passed     = first_passed_at IS NOT NULL: success = true or verb category passed
--   best_score = highest result.score.scaled
-- Every column is a min, max or argMin, which a duplicate cannot change, except statement_count and
-- time_spent_seconds, which rely on the sink writing each id once (see 0004).
-- The first_* place/demographic columns describe the learner's first statement on the skill; they let
-- the funnel be cut by region, town, age band or gender without a join.
CREATE TABLE IF NOT EXISTS skill_progress
(
    skill LowCardinality(String),
    learner_key String,
    statement_count SimpleAggregateFunction(sum, UInt64),
    time_spent_seconds SimpleAggregateFunction(sum, Float64),
    best_score SimpleAggregateFunction(max, Nullable(Float64)),
    first_attempt_at SimpleAggregateFunction(min, DateTime64(6, 'UTC')),
    first_completed_at SimpleAggregateFunction(min, Nullable(DateTime64(6, 'UTC'))),
    first_passed_at SimpleAggregateFunction(min, Nullable(DateTime64(6, 'UTC'))),
    last_activity_at SimpleAggregateFunction(max, DateTime64(6, 'UTC')),
    first_learning_point_id AggregateFunction(argMin, String, DateTime64(6, 'UTC')),
    first_town AggregateFunction(argMin, String, DateTime64(6, 'UTC')),
    first_region AggregateFunction(argMin, String, DateTime64(6, 'UTC')),
    first_source AggregateFunction(argMin, String, DateTime64(6, 'UTC')),
    age_band AggregateFunction(argMin, String, DateTime64(6, 'UTC')),
    gender AggregateFunction(argMin, String, DateTime64(6, 'UTC')),
    home_town AggregateFunction(argMin, String, DateTime64(6, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (skill, learner_key)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS skill_progress_mv TO skill_progress AS
SELECT
    skill,
    if(learner_id != '', learner_id, concat('actor:', lower(hex(SHA256(actor_key))))) AS learner_key,
    toUInt64(count()) AS statement_count,
    sum(ifNull(duration_seconds, 0)) AS time_spent_seconds,
    max(score_scaled) AS best_score,
    min(timestamp) AS first_attempt_at,
    minIf(toNullable(timestamp), ifNull(completion, false) OR ifNull(success, false) OR verb_category IN ('completed', 'passed'))
        AS first_completed_at,
    minIf(toNullable(timestamp), ifNull(success, false) OR verb_category = 'passed') AS first_passed_at,
    max(timestamp) AS last_activity_at,
    argMinState(toString(learning_point_id), timestamp) AS first_learning_point_id,
    argMinState(toString(town), timestamp) AS first_town,
    argMinState(toString(region), timestamp) AS first_region,
    argMinState(toString(source), timestamp) AS first_source,
    argMinState(toString(age_band), timestamp) AS age_band,
    argMinState(toString(gender), timestamp) AS gender,
    argMinState(toString(home_town), timestamp) AS home_town
FROM statements
WHERE skill != 'unknown' AND voiding_target IS NULL AND verb_id != 'http://adlnet.gov/expapi/verbs/voided'
GROUP BY skill, learner_key;
