-- Engagement per local day over [from, to], optionally for one region (NULL = all); days without any
-- statement are absent.
SELECT
    toString(day) AS day_text,
    toUInt32(sum(statement_count)) AS statement_count,
    toUInt32(uniqExactMerge(learners)) AS learner_count,
    sum(time_spent_seconds) AS time_spent_seconds
FROM engagement_daily
WHERE day BETWEEN {from:Date} AND {to:Date}
    AND ({region:Nullable(String)} IS NULL OR region = {region:Nullable(String)})
GROUP BY day
ORDER BY day
