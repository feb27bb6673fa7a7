-- 0015: xAPI documents (Communication 2.2–2.7): the State, Activity Profile and Agent Profile resources.
--
-- One row per write. ReplacingMergeTree keeps the highest `version` per key, and `deleted` rows are
-- tombstones that FINAL leaves out, so a read with FINAL sees the current document or nothing. The
-- concurrency checks (ETag preconditions) are a read followed by a write; the gateway serialises them per
-- key (libs/lrs/src/documents), because ClickHouse has no compare-and-set.
--
-- Key columns that do not apply to a resource are '' (an agent profile has no activity, no registration).
-- Writers insert base64 into xapi_documents_input (a Null table) and the view decodes it, as for attachments
-- (0010): JSONEachRow strings carry text, documents are arbitrary octets.
-- Durability as for statements (0001): fsync of the part files and directory before the INSERT returns.
CREATE TABLE IF NOT EXISTS xapi_documents
(
    resource Enum8('state' = 1, 'activity_profile' = 2, 'agent_profile' = 3),
    activity_id String,
    -- canonical actor key of the agent parameter (libs/xapi actorKey), as statements.actor_key
    agent_key String,
    -- lower-case UUID, '' when the request named none (state only)
    registration String,
    document_id String,
    content String CODEC(ZSTD(3)),
    content_type String,
    -- lower-case hex SHA-1 of content (Communication 3.1.s4.b2)
    etag String,
    updated DateTime64(3, 'UTC'),
    version UInt64,
    deleted UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (resource, activity_id, agent_key, registration, document_id)
SETTINGS
    fsync_after_insert = 1,
    fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS xapi_documents_input
(
    resource Enum8('state' = 1, 'activity_profile' = 2, 'agent_profile' = 3),
    activity_id String,
    agent_key String,
    registration String,
    document_id String,
    content_base64 String,
    content_type String,
    etag String,
    updated DateTime64(3, 'UTC'),
    version UInt64,
    deleted UInt8
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS xapi_documents_input_mv TO xapi_documents AS
SELECT
    resource, activity_id, agent_key, registration, document_id,
    base64Decode(content_base64) AS content,
    content_type, etag, updated, version, deleted
FROM xapi_documents_input;
