-- 0012: the research API's audit log (@app/insights AuditLog). One row per call that reads or changes
-- data (metrics, studies, extracts, downloads, erasures, audit reads), failures included, written before the
-- answer is returned; readable with the scope research/audit. Durability as in 0001.
CREATE TABLE IF NOT EXISTS research_audit
(
    at DateTime64(3, 'UTC'),
    audit_id String,
    principal LowCardinality(String),
    action LowCardinality(String),
    -- the study, extract or metric the call was about
    target String,
    -- the request's parameters (query string or body) as sent, JSON
    parameters String,
    -- ok or the error class
    outcome LowCardinality(String),
    row_count UInt64,
    suppressed_cells UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (at, audit_id)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;
