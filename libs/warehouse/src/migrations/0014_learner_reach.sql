-- 0014: learner_reach, distinct learners over any range of days counted without a hash set, for the dashboards.
--
-- Why: a panel that counts distinct learners over 30 or 90 days from learner_daily (0013) puts every
-- (learner, day, place) row of the range into a uniqExact hash set, one per group: at 100 million statements
-- that is 1-4 million rows and 0.1-0.3 s per panel, whatever the grain. Here every (grouping, key, learner,
-- day) the learner was active on carries `prev`, the learner's previous active day under the same key. A
-- learner is active in [from, to] exactly once on its first day there, the one row with `prev < from`, so
-- distinct learners per key = the number of (learner, day) with day in the range and prev < from: a range
-- read on the sorting key. Per week within a range: prev < greatest(from, toMonday(day)). Stored counted per
-- (grouping, key, day, prev), `learners`: a few hundred rows per key and day instead of one per learner.
--
-- Groupings (key columns k1, k2): 'all' (no key), 'town', 'region' (where the learning happened), 'home_town',
-- 'home_region' (west/east of the home town per dim_towns), 'age_band', 'age_gender' (age band and
-- female/male/other), and 'point' (k1 town, k2 learning point: distinct *points* per town, no learner).
-- Only for the unfiltered question (every dashboard variable All): a learner's previous day among rows of
-- one source or age band is another question, so panels with a selection keep counting learner_daily.
--
-- Kept without insert-fed views (no cost on the write path), by refreshable views over learner_daily (APPEND:
-- chdb's database engine allows no other kind):
--   learner_reach_history  every local day older than the settling window (the last 8 days: today and the 7
--                          before) with prev. Every 10 minutes it appends the days that left the window since
--                          its last one: nothing most of the time, one day after local midnight, all days on
--                          the first run (about 35 s of two cores at 100 M statements).
--   learner_last_seen      per (grouping, key, learner) the last active day of the history: where prev comes
--                          from for the days appended next. Brought up to the history every 10 minutes.
--   learner_reach_live     the days after learner_last_seen's last one (normally the 8 days of the window)
--                          with prev, as a new snapshot every minute; snapshots dropped after 10 minutes.
-- The view learner_reach reads the history and the live rows after its last day, so the two never overlap
-- or leave a gap, even while one of them is being recomputed. The history is never revised, hence the window:
-- statements arriving up to 7 days late (an attendance sheet uploaded after the class, a phone syncing
-- after a week offline) are counted within the minute like any other. One for a day older than that (or
-- a voiding of one) reaches these counts after rebuildAggregates or an erasure, which empty the history
-- and last_seen and refresh them (recomputeRefreshableViews); the other aggregates count it at once.
CREATE VIEW IF NOT EXISTS learner_reach_source AS
SELECT
    day,
    if(gk.1 = 'point', toUInt128(0), learner) AS who,
    gk.1 AS grouping,
    gk.2 AS k1,
    gk.3 AS k2
FROM learner_daily
ARRAY JOIN [
    ('all', '', ''),
    ('town', toString(town), ''),
    ('region', toString(region), ''),
    ('point', toString(town), toString(learning_point_id)),
    ('home_town', toString(home_town), ''),
    ('home_region', multiIf(
        home_town IN (SELECT town_id FROM dim_towns WHERE region = 'west'), 'west',
        home_town IN (SELECT town_id FROM dim_towns WHERE region = 'east'), 'east', ''), ''),
    ('age_band', toString(age_band), ''),
    ('age_gender', toString(age_band), multiIf(gender = 'female', 'female', gender = 'male', 'male', 'other'))
] AS gk;

CREATE TABLE IF NOT EXISTS learner_reach_history
(
    grouping LowCardinality(String),
    day Date,
    k1 LowCardinality(String),
    k2 LowCardinality(String),
    prev Date,
    -- learners with this key, active on `day`, whose previous active day under the key was `prev`
    learners UInt32
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (grouping, day, k1, k2, prev);

-- One row per (grouping, key, learner) after merges; read with max(last_day) (a day appended later may not
-- have merged yet).
CREATE TABLE IF NOT EXISTS learner_last_seen
(
    grouping LowCardinality(String),
    k1 LowCardinality(String),
    k2 LowCardinality(String),
    who UInt128,
    last_day Date
)
ENGINE = ReplacingMergeTree(last_day)
ORDER BY (grouping, k1, k2, who);

CREATE TABLE IF NOT EXISTS learner_reach_live
(
    snapshot_at DateTime64(6, 'UTC'),
    grouping LowCardinality(String),
    day Date,
    k1 LowCardinality(String),
    k2 LowCardinality(String),
    prev Date,
    -- learners with this key, active on `day`, whose previous active day under the key was `prev`
    learners UInt32
)
ENGINE = MergeTree
PARTITION BY snapshot_at
ORDER BY (grouping, day, k1, k2, prev)
TTL toDateTime(snapshot_at) + INTERVAL 10 MINUTE
SETTINGS ttl_only_drop_parts = 1, merge_with_ttl_timeout = 60;

-- Appends the complete days after the history's last one (none most of the time; yesterday after local
-- midnight; every day on the first run), with prev from learner_last_seen, and only once learner_last_seen
-- has caught up with the history (so prev is never taken from an incomplete learner_last_seen).
CREATE MATERIALIZED VIEW IF NOT EXISTS learner_reach_history_mv
REFRESH EVERY 10 MINUTE APPEND TO learner_reach_history AS
SELECT n.grouping AS grouping, dp.1 AS day, n.k1 AS k1, n.k2 AS k2, dp.2 AS prev, toUInt32(count()) AS learners
FROM
(
    SELECT grouping, k1, k2, who, arraySort(groupUniqArray(day)) AS days
    FROM learner_reach_source
    WHERE day > (SELECT max(day) FROM learner_reach_history)
      AND day < toDate(now(), 'Asia/Shanghai') - 7
      AND (SELECT max(day) FROM learner_reach_history) = (SELECT max(last_day) FROM learner_last_seen)
    GROUP BY grouping, k1, k2, who
) AS n
LEFT JOIN
(
    SELECT grouping, k1, k2, who, max(last_day) AS last_day
    FROM learner_last_seen
    WHERE who = 0 OR who IN (
        SELECT learner FROM learner_daily
        WHERE day > (SELECT max(day) FROM learner_reach_history) AND day < toDate(now(), 'Asia/Shanghai') - 7)
    GROUP BY grouping, k1, k2, who
) AS s ON s.grouping = n.grouping AND s.k1 = n.k1 AND s.k2 = n.k2 AND s.who = n.who
ARRAY JOIN arrayZip(n.days, arrayPushFront(arrayPopBack(n.days), s.last_day)) AS dp
GROUP BY grouping, day, k1, k2, prev
SETTINGS join_use_nulls = 0;

-- Brings learner_last_seen up to the history's last day.
CREATE MATERIALIZED VIEW IF NOT EXISTS learner_last_seen_mv
REFRESH EVERY 10 MINUTE APPEND TO learner_last_seen AS
SELECT grouping, k1, k2, who, max(day) AS last_day
FROM learner_reach_source
WHERE day > (SELECT max(last_day) FROM learner_last_seen)
  AND day <= (SELECT max(day) FROM learner_reach_history)
GROUP BY grouping, k1, k2, who;

-- Every day after learner_last_seen's last one (normally today), as a new snapshot each minute.
CREATE MATERIALIZED VIEW IF NOT EXISTS learner_reach_live_mv
REFRESH EVERY 1 MINUTE APPEND TO learner_reach_live AS
SELECT
    now64(6) AS snapshot_at, n.grouping AS grouping, dp.1 AS day, n.k1 AS k1, n.k2 AS k2, dp.2 AS prev,
    toUInt32(count()) AS learners
FROM
(
    SELECT grouping, k1, k2, who, arraySort(groupUniqArray(day)) AS days
    FROM learner_reach_source
    WHERE day > (SELECT max(last_day) FROM learner_last_seen)
    GROUP BY grouping, k1, k2, who
) AS n
LEFT JOIN
(
    SELECT grouping, k1, k2, who, max(last_day) AS last_day
    FROM learner_last_seen
    WHERE who = 0 OR who IN (SELECT learner FROM learner_daily WHERE day > (SELECT max(last_day) FROM learner_last_seen))
    GROUP BY grouping, k1, k2, who
) AS s ON s.grouping = n.grouping AND s.k1 = n.k1 AND s.k2 = n.k2 AND s.who = n.who
ARRAY JOIN arrayZip(n.days, arrayPushFront(arrayPopBack(n.days), s.last_day)) AS dp
GROUP BY grouping, day, k1, k2, prev
SETTINGS join_use_nulls = 0;

-- What the panels read: the history up to its last day (max(day) from partition metadata), the newest live
-- snapshot after it. The live snapshot was computed from learner_last_seen, which never runs ahead of the
-- history, so it always covers every day after the history's last one, with prev right.
CREATE VIEW IF NOT EXISTS learner_reach AS
SELECT grouping, day, k1, k2, prev, learners
FROM learner_reach_history
UNION ALL
SELECT grouping, day, k1, k2, prev, learners
FROM learner_reach_live
WHERE snapshot_at = (SELECT max(snapshot_at) FROM learner_reach_live)
  AND day > (SELECT max(day) FROM learner_reach_history);

-- classroom_starts: the learners whose first statement on any channel was in a classroom or at a kiosk, with
-- when that was and when they first used the portal, the app or a partner app (null: never). What the skill
-- dashboard's "classroom starters who went on to learn online" reads as a range of its sorting key, instead
-- of grouping every learner's learner_channels rows by learner key (0.1-0.2 s at 100 million statements).
-- A new snapshot every minute from learner_channels (one pass over it, in the background), like skill_cohort;
-- no learner key is kept.
CREATE TABLE IF NOT EXISTS classroom_starts
(
    snapshot_at DateTime64(6, 'UTC'),
    first_offline DateTime64(6, 'UTC'),
    first_online Nullable(DateTime64(6, 'UTC'))
)
ENGINE = MergeTree
PARTITION BY snapshot_at
ORDER BY first_offline
TTL toDateTime(snapshot_at) + INTERVAL 10 MINUTE
SETTINGS ttl_only_drop_parts = 1, merge_with_ttl_timeout = 60;

CREATE MATERIALIZED VIEW IF NOT EXISTS classroom_starts_mv REFRESH EVERY 1 MINUTE APPEND TO classroom_starts AS
SELECT now64(6) AS snapshot_at, first_offline, first_online
FROM
(
    SELECT
        min(first_at) AS first_any,
        minIf(first_at, source IN ('classroom', 'kiosk')) AS first_offline,
        minIf(toNullable(first_at), source IN ('portal', 'app', 'partner')) AS first_online
    FROM learner_channels
    GROUP BY learner_key
)
WHERE first_offline = first_any;
