-- Distinct learners (and their statements) over the `days` local days ending with as_of (inclusive);
-- as_of NULL = today in Asia/Shanghai.
WITH
    ifNull({as_of:Nullable(Date)}, toDate(now(), 'Asia/Shanghai')) AS day_to,
    day_to - ({days:UInt16} - 1) AS day_from
SELECT
    toString(day_from) AS from_day,
    toString(day_to) AS to_day,
    toUInt32(uniqExactMerge(learners)) AS learner_count,
    toUInt32(sum(statement_count)) AS statement_count
FROM engagement_daily
WHERE day BETWEEN day_from AND day_to
