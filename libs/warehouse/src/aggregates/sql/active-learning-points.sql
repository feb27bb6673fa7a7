-- How many of the reference learning points had any statement in the `days` local days ending with
-- as_of (NULL = today in Asia/Shanghai): the "share of the 176 points active in the last 30 days".
WITH
    ifNull({as_of:Nullable(Date)}, toDate(now(), 'Asia/Shanghai')) AS day_to,
    day_to - ({days:UInt16} - 1) AS day_from
SELECT
    toString(day_from) AS from_day,
    toString(day_to) AS to_day,
    toUInt32(uniqExactIf(learning_point_id, learning_point_id IN (SELECT learning_point_id FROM dim_learning_points)))
        AS active_points,
    toUInt32((SELECT count() FROM dim_learning_points)) AS total_points
FROM engagement_daily
WHERE day BETWEEN day_from AND day_to
