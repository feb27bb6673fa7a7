-- 0013: two rollups for the dashboards (dashboards/src), each fed by a materialized view on `statements` and
-- recounted by rebuildAggregates like 0004-0006.
--
-- learner_daily: one row per learner, local day and place/group (region × town × learning point × source ×
-- age band × gender × home town). What the dashboards count distinct learners, statements and time from.
--
-- Why besides engagement_daily (0004): there, distinct learners are uniqExact states, one per cell; a panel
-- over 30 days merges hundreds of thousands of small hash sets, which at 10 million statements takes a few
-- hundred milliseconds. Here the learner is a plain 128-bit column, so a panel counts `uniqExact(learner)`
-- over rows: the same SipHash-128 of the same learner key that uniqExactState(String) keeps in 0004, so the
-- counts are identical. No verb category (no panel cuts by it), so a learner's session is one row.
--
-- Learner key, voiding and duplicates as in 0004: the sums rely on the sink writing each id once, a learner
-- seen twice is one row after merging and counts once before it (uniqExact). rebuildAggregates recounts it.
CREATE TABLE IF NOT EXISTS learner_daily
(
    day Date,
    region LowCardinality(String),
    town LowCardinality(String),
    learning_point_id LowCardinality(String),
    source LowCardinality(String),
    age_band LowCardinality(String),
    gender LowCardinality(String),
    home_town LowCardinality(String),
    -- sipHash128 of the learner key
    learner UInt128,
    statement_count SimpleAggregateFunction(sum, UInt64),
    time_spent_seconds SimpleAggregateFunction(sum, Float64),
    timed_statement_count SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, region, town, learning_point_id, source, age_band, gender, home_town, learner)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS learner_daily_mv TO learner_daily AS
SELECT
    toDate(timestamp, 'Asia/Shanghai') AS day,
    region,
    town,
    learning_point_id,
    source,
    age_band,
    gender,
    home_town,
    reinterpretAsUInt128(sipHash128(if(learner_id != '', learner_id, concat('actor:', lower(hex(SHA256(actor_key))))))) AS learner,
    toUInt64(count()) AS statement_count,
    sum(ifNull(duration_seconds, 0)) AS time_spent_seconds,
    toUInt64(countIf(duration_seconds IS NOT NULL)) AS timed_statement_count
FROM statements
WHERE voiding_target IS NULL AND verb_id != 'http://adlnet.gov/expapi/verbs/voided'
GROUP BY day, region, town, learning_point_id, source, age_band, gender, home_town, learner;

-- Statements per minute of their `stored` time and source, with the newest stored time: what the
-- pipeline-health dashboard reads for freshness and throughput instead of scanning `stored` in `statements`
-- (a full column scan that grows with every statement ever stored). Partitioned by the minute's month, so
-- max(minute) comes from the parts' min/max metadata without reading rows. Counts statements as the other
-- aggregates do (no voiding statements; a rebuild also drops voided ones).
CREATE TABLE IF NOT EXISTS statements_stored
(
    minute DateTime('UTC'),
    source LowCardinality(String),
    statement_count SimpleAggregateFunction(sum, UInt64),
    newest_stored SimpleAggregateFunction(max, DateTime64(6, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, source)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS statements_stored_mv TO statements_stored AS
SELECT
    toStartOfMinute(stored) AS minute,
    source,
    toUInt64(count()) AS statement_count,
    max(stored) AS newest_stored
FROM statements
WHERE voiding_target IS NULL AND verb_id != 'http://adlnet.gov/expapi/verbs/voided'
GROUP BY minute, source;

-- skill_cohort: skill_progress merged, one plain row per (skill, learner) with its first attempt, completion,
-- pass, best score and where/how it started, as of `snapshot_at`. A refreshable view recomputes it every
-- minute and appends a new snapshot; readers take the newest (`max(snapshot_at)` comes from partition
-- metadata) and snapshots are dropped whole after ten minutes. Why: the skill panels select learners
-- by their first attempt in the range, and on skill_progress that means merging every learner's partial rows
-- and argMin states at query time (about 0.1-0.3 s of CPU per panel at 10 million statements); here it is a
-- range read on the sorting key. The price: skill panels lag skill_progress by up to a minute plus the
-- refresh time, and the refresh itself re-reads skill_progress each minute (in the background). Not an
-- insert-fed view: rebuildAggregates does not touch it; the next refresh reads the rebuilt skill_progress.
CREATE TABLE IF NOT EXISTS skill_cohort
(
    snapshot_at DateTime64(6, 'UTC'),
    skill LowCardinality(String),
    learner_key String,
    first_attempt DateTime64(6, 'UTC'),
    first_completed Nullable(DateTime64(6, 'UTC')),
    first_passed Nullable(DateTime64(6, 'UTC')),
    best Nullable(Float64),
    start_region LowCardinality(String),
    start_town LowCardinality(String),
    start_point LowCardinality(String),
    start_source LowCardinality(String),
    learner_age_band LowCardinality(String)
)
ENGINE = MergeTree
PARTITION BY snapshot_at
ORDER BY (skill, first_attempt)
TTL toDateTime(snapshot_at) + INTERVAL 10 MINUTE
SETTINGS ttl_only_drop_parts = 1, merge_with_ttl_timeout = 60;

CREATE MATERIALIZED VIEW IF NOT EXISTS skill_cohort_mv REFRESH EVERY 1 MINUTE APPEND TO skill_cohort AS
SELECT
    now64(6) AS snapshot_at,
    skill,
    learner_key,
    min(first_attempt_at) AS first_attempt,
    min(first_completed_at) AS first_completed,
    min(first_passed_at) AS first_passed,
    max(best_score) AS best,
    argMinMerge(first_region) AS start_region,
    argMinMerge(first_town) AS start_town,
    argMinMerge(first_learning_point_id) AS start_point,
    argMinMerge(first_source) AS start_source,
    argMinMerge(age_band) AS learner_age_band
FROM skill_progress
GROUP BY skill, learner_key;
