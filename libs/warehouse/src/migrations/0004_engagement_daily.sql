-- 0004: engagement per local day × learning point × town × region × age band × gender × home town × source
-- × verb category, fed by a materialized view on every insert into `statements`.
--
-- Day: the district's calendar day (Asia/Shanghai), not the UTC day; dashboards and research queries
-- filter on it with `{from:Date}` / `{to:Date}`.
--
-- Learner key (also in 0005 and 0006): the pseudonymous learner id when the enricher knew the learner,
-- else a SHA-256 digest of the actor key, so that no e-mail or account name reaches an analytics table.
--
-- Exactness:
--   * `learners` is a uniqExact state (a set of 128-bit hashes of the learner key), so merging any subset
--     of dimensions or any range of days gives exact distinct learners, and a learner inserted twice still
--     counts once.
--   * `statement_count` and `time_spent_seconds` are plain sums: the sink never inserts a statement id twice
--     (StatementRowWriter.writeNewStatements). A uniqExact(id) state would make the count duplicate-proof
--     by itself, at a cost measured in libs/warehouse/src/aggregates/README.md.
--   * A retried identical block: since ClickHouse 24.x (`deduplicate_blocks_in_dependent_materialized_views`
--     on by default), the view's output is deduplicated by the *target* table's own window, with a token
--     derived from the source block (two different source blocks with equal output are both kept, tested).
--     Hence non_replicated_deduplication_window on every aggregate table; without it a retried block that
--     `statements` drops would still be counted again here.
--
-- Voiding: the view skips voiding statements (they are corrections, not learning). The voided target was
-- counted when it arrived; `rebuildAggregates` (aggregates/rebuild.ts) recomputes every aggregate from
-- `statements` without voided targets. See aggregates/README.md.
CREATE TABLE IF NOT EXISTS engagement_daily
(
    day Date,
    region LowCardinality(String),
    town LowCardinality(String),
    learning_point_id LowCardinality(String),
    source LowCardinality(String),
    verb_category LowCardinality(String),
    age_band LowCardinality(String),
    gender LowCardinality(String),
    home_town LowCardinality(String),
    statement_count SimpleAggregateFunction(sum, UInt64),
    learners AggregateFunction(uniqExact, String),
    time_spent_seconds SimpleAggregateFunction(sum, Float64),
    -- statements that carried a duration (time spent is a lower bound where this is below statement_count)
    timed_statement_count SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, region, town, learning_point_id, source, verb_category, age_band, gender, home_town)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS engagement_daily_mv TO engagement_daily AS
SELECT
    toDate(timestamp, 'Asia/Shanghai') AS day,
    region,
    town,
    learning_point_id,
    source,
    verb_category,
    age_band,
    gender,
    home_town,
    toUInt64(count()) AS statement_count,
    uniqExactState(if(learner_id != '', learner_id, concat('actor:', lower(hex(SHA256(actor_key)))))) AS learners,
    sum(ifNull(duration_seconds, 0)) AS time_spent_seconds,
    toUInt64(countIf(duration_seconds IS NOT NULL)) AS timed_statement_count
FROM statements
WHERE voiding_target IS NULL AND verb_id != 'http://adlnet.gov/expapi/verbs/voided'
GROUP BY day, region, town, learning_point_id, source, verb_category, age_band, gender, home_town;
