-- Engagement over local days [from, to] grouped by a chosen set of engagement_daily's dimensions.
-- `__DIMENSIONS__` is replaced by engagementBreakdown with column names from a fixed whitelist (never user
-- text); with no dimension it is `tuple()` and the query returns one total row. Optional filters: NULL = all.
SELECT
    __DIMENSIONS__,
    toUInt32(sum(statement_count)) AS statement_count,
    toUInt32(uniqExactMerge(learners)) AS learner_count,
    sum(time_spent_seconds) AS time_spent_seconds
FROM engagement_daily
WHERE day BETWEEN {from:Date} AND {to:Date}
    AND ({region:Nullable(String)} IS NULL OR region = {region:Nullable(String)})
    AND ({town:Nullable(String)} IS NULL OR town = {town:Nullable(String)})
    AND ({source:Nullable(String)} IS NULL OR source = {source:Nullable(String)})
GROUP BY __DIMENSIONS__
ORDER BY __DIMENSIONS__
