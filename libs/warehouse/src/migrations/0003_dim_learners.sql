-- 0003: the learner registry's durable store, one row per write (@app/registry LearnerRegistry).
--
-- ReplacingMergeTree(version) keyed by learner id: the row with the highest version is the learner's
-- current state. Until a merge, older rows are visible too, so readers use `FINAL` (or argMax by version).
-- `identities` are canonical xAPI actor keys (personal data: e-mail, portal account); analytics tables never
-- hold them, they hold the pseudonymous id, the birth year's age band, gender and home town.
--
-- PIPL erasure: a delete writes a tombstone (deleted = true, no identities, no demographics) with a higher
-- version, and the registry then removes the learner's older rows (lightweight DELETE), so personal data
-- does not wait for a merge. The tombstone stays, so that an older write replayed later cannot resurrect
-- the learner.
--
-- Durability as in 0001: an acknowledged registry write is on disk.
CREATE TABLE IF NOT EXISTS dim_learners
(
    id String,
    identities Array(String),
    -- 0 in a tombstone
    birth_year UInt16,
    -- female, male, other, unknown
    gender LowCardinality(String),
    -- '' in a tombstone
    home_town_id LowCardinality(String),
    home_learning_point_id Nullable(String),
    updated_at DateTime64(3, 'UTC'),
    version UInt64,
    deleted Bool DEFAULT false
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;
