-- 0001: the statements table, one row per xAPI statement (raw JSON plus extracted and enriched columns).
--
-- Deduplication design (a statement id must never count twice):
--   * ReplacingMergeTree(row_version) collapses rows with the same sorting key at merge time. The sorting
--     key ends in `id` and every column before it is taken from the statement itself (timestamp, actor),
--     never from enrichment, so two copies of one statement always share the whole key, even if reference
--     data changed between the two enrichments. Place columns (town, learning point) are therefore served
--     by skip indexes and by the aggregate tables, not by the sorting key.
--   * Until a merge happens, duplicates can be visible: raw-table queries use `uniqExact(id)` or `FINAL`.
--   * Materialized views fire on every insert and cannot see merges, so the sink must not insert an id
--     twice: it removes ids already stored (`findExistingIds`, served by the bloom filter on id) and
--     duplicates inside a batch. That is exact because the bus keys messages by the actor, and a re-sent
--     statement has the same actor (the gateway refuses a different one with 409), so one id always
--     lands in one partition and is written by one consumer at a time.
--   * non_replicated_deduplication_window drops a byte-identical block retried after an ambiguous failure
--     (timeout after the insert landed). Writers pass row_version themselves (the statement's `stored`) so a
--     retried block is byte-identical; with the default (insert time) every retry would be a new block.
--   * row_version lets a later write of the same id win (voiding re-writes the target with voided = 1).
--
-- Durability: fsync_after_insert and fsync_part_directory make an INSERT return only after the part's
-- files and directory are on disk, so an acknowledged statement survives a crash or power loss (the
-- embedded mode has no replicas to fall back on). Measured cost on chdb: see libs/warehouse/README.md.
CREATE TABLE IF NOT EXISTS statements
(
    id UUID,
    -- canonical learner identity from the actor's IFI (mbox, mbox_sha1sum, openid or account)
    actor_key String,
    verb_id LowCardinality(String),
    object_id String,
    object_type LowCardinality(String),
    timestamp DateTime64(6, 'UTC'),
    stored DateTime64(6, 'UTC'),
    registration Nullable(UUID),
    voided Bool DEFAULT false,
    -- the statement this one voids (verb http://adlnet.gov/expapi/verbs/voided), if any
    voiding_target Nullable(UUID),
    -- the sending credential's source type: portal, app, classroom, kiosk, partner, ...
    source LowCardinality(String),
    credential_key LowCardinality(String),

    -- enrichment (pseudonymous learner, place, demographics, catalogue); filled by the enrich stage
    learner_id String DEFAULT '',
    learning_point_id LowCardinality(String) DEFAULT 'unattributed',
    school_id LowCardinality(String) DEFAULT 'unattributed',
    town LowCardinality(String) DEFAULT 'unattributed',
    region LowCardinality(String) DEFAULT 'unknown',
    age_band LowCardinality(String) DEFAULT 'unknown',
    gender LowCardinality(String) DEFAULT 'unknown',
    -- the learner's home town (a demographic); `town` is where the learning happened
    home_town LowCardinality(String) DEFAULT 'unknown',
    skill LowCardinality(String) DEFAULT 'unknown',
    verb_category LowCardinality(String) DEFAULT 'other',

    -- result
    duration_seconds Nullable(Float64),
    score_scaled Nullable(Float64),
    success Nullable(Bool),
    completion Nullable(Bool),

    -- the full statement as stored (returned by the read API as is)
    raw String CODEC(ZSTD(3)),

    -- audit: where the sink read it from
    kafka_topic LowCardinality(String) DEFAULT '',
    kafka_partition Int32 DEFAULT -1,
    kafka_offset Int64 DEFAULT -1,
    row_version DateTime64(6, 'UTC') DEFAULT now64(6),

    INDEX idx_id id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_learner learner_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_learning_point learning_point_id TYPE set(512) GRANULARITY 4,
    INDEX idx_town town TYPE set(64) GRANULARITY 4,
    INDEX idx_verb verb_id TYPE set(128) GRANULARITY 4,
    INDEX idx_object object_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_stored stored TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(row_version)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (toDate(timestamp), actor_key, id)
SETTINGS
    fsync_after_insert = 1,
    fsync_part_directory = 1,
    non_replicated_deduplication_window = 1000;
