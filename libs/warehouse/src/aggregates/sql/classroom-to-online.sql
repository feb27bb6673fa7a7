-- "Started in a classroom, then learned online on their own": learners whose first statement on any
-- channel was offline (classroom or kiosk) on a local day in [from, to], and how many of them later used an
-- online channel (portal, app, partner), by now.
WITH per_learner AS
(
    SELECT
        learner_key,
        min(first_at) AS first_any,
        minIf(first_at, source IN ('classroom', 'kiosk')) AS first_offline,
        minIf(toNullable(first_at), source IN ('portal', 'app', 'partner')) AS first_online
    FROM
    (
        SELECT learner_key, source, min(first_at) AS first_at
        FROM learner_channels
        GROUP BY learner_key, source
    )
    GROUP BY learner_key
)
SELECT
    toUInt32(count()) AS started_offline,
    toUInt32(countIf(first_online > first_offline)) AS continued_online
FROM per_learner
WHERE first_offline = first_any
    AND toDate(first_offline, 'Asia/Shanghai') BETWEEN {from:Date} AND {to:Date}
