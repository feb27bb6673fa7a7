-- 0010: attachment data (xAPI Data 2.4.11, Communication 1.5.2), content-addressed by its SHA-2.
--
-- The gateway writes an attachment here before it acknowledges the statement that carries it, so the
-- statement (which travels through the bus) never refers to data that was lost. The same octets always have
-- the same sha2, so writing them twice is harmless: ReplacingMergeTree keyed on sha2 keeps one row, and
-- readers use FINAL (or LIMIT 1 BY sha2) until a merge collapsed the copies.
--
-- Writers insert base64 into attachments_input (a Null table) and the view decodes it into the raw octets:
-- both warehouse adapters insert JSONEachRow, whose strings carry UTF-8 text, not arbitrary bytes.
-- Durability as for statements (0001): fsync of the part files and directory before the INSERT returns.
CREATE TABLE IF NOT EXISTS attachments
(
    -- lower-case hex SHA-224/256/384/512 of content, as the statement's attachment sha2 declares it
    sha2 String,
    content_type String,
    length UInt64,
    content String CODEC(ZSTD(3)),
    stored_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY sha2
SETTINGS
    fsync_after_insert = 1,
    fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS attachments_input
(
    sha2 String,
    content_type String,
    length UInt64,
    content_base64 String
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS attachments_input_mv TO attachments AS
SELECT sha2, content_type, length, base64Decode(content_base64) AS content
FROM attachments_input;
