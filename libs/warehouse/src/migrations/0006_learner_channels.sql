-- 0006: when each learner first and last used each channel (source type: portal, app, classroom, kiosk,
-- partner), fed by a materialized view on `statements`. Answers "started in a classroom, then learned
-- online on their own" (aggregates/skill.queries.ts classroomToOnline). Learner key as in 0004; voiding
-- statements are skipped. min/max are duplicate-proof; statement_count relies on the sink (see 0004).
CREATE TABLE IF NOT EXISTS learner_channels
(
    learner_key String,
    source LowCardinality(String),
    first_at SimpleAggregateFunction(min, DateTime64(6, 'UTC')),
    last_at SimpleAggregateFunction(max, DateTime64(6, 'UTC')),
    statement_count SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
ORDER BY (learner_key, source)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS learner_channels_mv TO learner_channels AS
SELECT
    if(learner_id != '', learner_id, concat('actor:', lower(hex(SHA256(actor_key))))) AS learner_key,
    source,
    min(timestamp) AS first_at,
    max(timestamp) AS last_at,
    toUInt64(count()) AS statement_count
FROM statements
WHERE voiding_target IS NULL AND verb_id != 'http://adlnet.gov/expapi/verbs/voided'
GROUP BY learner_key, source;
