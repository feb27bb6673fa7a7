-- The statements the aggregates should count, as of now: one row per id (FINAL), no voiding statements,
-- no statement voided by one. rebuildAggregates reads the materialized views' SELECTs over this instead of
-- `statements`; keep the filter in step with the views' WHERE clauses (0004-0006).
SELECT *
FROM statements FINAL
WHERE voiding_target IS NULL
    AND verb_id != 'http://adlnet.gov/expapi/verbs/voided'
    AND NOT voided
    AND id NOT IN (SELECT assumeNotNull(voiding_target) FROM statements WHERE voiding_target IS NOT NULL)
