-- 0002: per topic-partition watermark of the sink: every statement of that partition with
-- `stored <= stored_through` is durably in `statements`. The read side takes the minimum over the
-- partitions as X-Experience-API-Consistent-Through. ReplacingMergeTree keeps the highest
-- stored_through per partition, so a late or repeated advance can never move a watermark back.
CREATE TABLE IF NOT EXISTS sink_watermarks
(
    consumer_group LowCardinality(String),
    topic LowCardinality(String),
    partition UInt32,
    stored_through DateTime64(6, 'UTC'),
    kafka_offset Int64,
    updated_at DateTime64(6, 'UTC') DEFAULT now64(6)
)
ENGINE = ReplacingMergeTree(stored_through)
ORDER BY (consumer_group, topic, partition)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;
