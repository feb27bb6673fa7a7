-- 0008: dead letters, kept queryable. The embedded mode has no DLQ topic, so its in-process bus writes
-- here; in the distributed mode the DLQ topics can be copied here too. The pipeline-health dashboard
-- counts them by source topic and reason. The original bytes are kept so a fixed message can be replayed.
CREATE TABLE IF NOT EXISTS dead_letters
(
    failed_at DateTime64(3, 'UTC'),
    -- the topic the message was consumed from (the DLQ is this name plus .dlq)
    source_topic LowCardinality(String),
    source_partition Int32,
    source_offset String,
    consumer_group LowCardinality(String),
    error_class LowCardinality(String),
    reason String,
    message_key String,
    message_value String CODEC(ZSTD(3)),
    -- base64 of the value when it is not valid UTF-8 (message_value is then empty)
    message_value_base64 String DEFAULT ''
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(failed_at)
ORDER BY (source_topic, failed_at)
SETTINGS
    fsync_after_insert = 1,
    fsync_part_directory = 1;
