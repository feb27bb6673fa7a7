-- 0011: the research API's durable records (@app/insights): studies and extracts (the audit log: 0012).
--
-- Studies and extracts are written once and never changed (MergeTree, one row each). An extract stores what
-- it takes to cut it again byte for byte: the study's fields and window, the format, and the watermark
-- (`cut_through`): only statements with `stored <= cut_through` are read, so statements arriving later
-- cannot change it. A learner erased under PIPL (see the README) is removed from any later re-cut.
--
-- The per-study secret keys the learner pseudonyms (HMAC-SHA256); two studies have different secrets, so
-- their extracts cannot be joined on learners. It never leaves the service.
--
-- Durability as in 0001: a study or extract is on disk before the API answers.
CREATE TABLE IF NOT EXISTS research_studies
(
    study_id String,
    title String,
    purpose String,
    approved_fields Array(LowCardinality(String)),
    window_from Date,
    window_to Date,
    pseudonym_secret String,
    created_by LowCardinality(String),
    created_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY study_id
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS research_extracts
(
    extract_id String,
    study_id String,
    format LowCardinality(String),
    fields Array(LowCardinality(String)),
    -- local days (Asia/Shanghai), inclusive, inside the study's window
    day_from Date,
    day_to Date,
    -- only statements stored up to here are read
    cut_through DateTime64(6, 'UTC'),
    row_count UInt64,
    -- of the bytes as first delivered; a re-cut must give the same
    sha256 String,
    created_by LowCardinality(String),
    created_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (study_id, extract_id)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;
