-- 0016: the definitions statements gave each Activity, for GET /xapi/activities (Communication 2.5).
--
-- The resource merges every definition an Activity was given. Reading them from `statements` means parsing
-- the raw JSON of every statement about the Activity: 0.7 s for a module with 2.2 million statements at 10
-- million, and growing with the store. This table keeps one row per Activity and distinct definition (its
-- SipHash) with when it was last seen, fed by a materialized view, so the resource reads a few rows.
-- Not an aggregate of learners (no learner columns, nothing to erase). rebuildAggregates recomputes it
-- (CATALOGUE_VIEWS) from the counted statements, which leaves out definitions only voided statements gave.
CREATE TABLE IF NOT EXISTS activity_definitions
(
    activity_id String,
    definition_hash UInt64,
    -- the definition as a statement gave it (JSON text)
    definition SimpleAggregateFunction(any, String),
    last_seen SimpleAggregateFunction(max, DateTime64(6, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (activity_id, definition_hash)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS activity_definitions_mv TO activity_definitions AS
SELECT
    object_id AS activity_id,
    sipHash64(JSONExtractRaw(raw, 'object', 'definition')) AS definition_hash,
    any(JSONExtractRaw(raw, 'object', 'definition')) AS definition,
    max(stored) AS last_seen
FROM statements
WHERE object_type = 'Activity' AND JSONHas(raw, 'object', 'definition')
GROUP BY activity_id, definition_hash;

-- Statements stored before this migration (max() makes a statement seen twice harmless).
INSERT INTO activity_definitions
SELECT
    object_id AS activity_id,
    sipHash64(JSONExtractRaw(raw, 'object', 'definition')) AS definition_hash,
    any(JSONExtractRaw(raw, 'object', 'definition')) AS definition,
    max(stored) AS last_seen
FROM statements
WHERE object_type = 'Activity' AND JSONHas(raw, 'object', 'definition')
GROUP BY activity_id, definition_hash;
