-- 0017: statements voided but still counted in the aggregates, waiting for recountVoidedStatements.
--
-- The materialized views count a statement when it arrives and cannot take it back out when a voiding
-- statement arrives later (a learner cannot be subtracted from a distinct count). The sink queues the
-- targets of the voiding statements it writes here, in the same commit, before the INSERT; the recount
-- (aggregates/recount-voided.ts) recomputes what they reach from the counted statements and then empties
-- the queue. A target queued twice, or whose voiding statement never got stored, costs a recount that
-- changes nothing. Voidings stored before this migration stay counted until rebuildAggregates.
CREATE TABLE IF NOT EXISTS voided_recount_queue
(
    target UUID,
    queued_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (queued_at, target)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;
