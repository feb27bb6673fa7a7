-- 0009: what the Statement API's query filters need beyond 0001's columns (Communication 2.1.3).
--
--   * agent_keys: actor keys the `agent` filter matches: the actor and, when the object is an Agent or Group,
--     the object; a Group also contributes its members' keys (a Group matches when one of its members does).
--   * related_agent_keys: agent_keys plus authority, context instructor and team (2.0: contextAgents and
--     contextGroups) and the same parts of a SubStatement object (`related_agents=true`).
--   * related_activity_ids: the object Activity, every contextActivities id and the same parts of a
--     SubStatement object (`related_activities=true`).
--
-- Keys use the canonical actor key of libs/xapi/src/actor-key.ts, as actor_key does. The sink computes the
-- columns when it writes (libs/warehouse/src/statement-relations.ts); rows written before this migration
-- keep the defaults (empty), and the read side falls back to actor_key / object_id for them.
--
-- Voiding needs no column: a statement is voided when a stored voiding statement names it in
-- voiding_target (Data 2.3.2.s2.b3), so the read side anti-joins on that column and no row is rewritten
-- (a rewrite would fire the aggregate views a second time).
ALTER TABLE statements
    ADD COLUMN IF NOT EXISTS agent_keys Array(String) DEFAULT [],
    ADD COLUMN IF NOT EXISTS related_agent_keys Array(String) DEFAULT [],
    ADD COLUMN IF NOT EXISTS related_activity_ids Array(String) DEFAULT [];

ALTER TABLE statements
    ADD INDEX IF NOT EXISTS idx_agent_keys agent_keys TYPE bloom_filter(0.01) GRANULARITY 4,
    ADD INDEX IF NOT EXISTS idx_related_agent_keys related_agent_keys TYPE bloom_filter(0.01) GRANULARITY 4,
    ADD INDEX IF NOT EXISTS idx_related_activity_ids related_activity_ids TYPE bloom_filter(0.01) GRANULARITY 4,
    ADD INDEX IF NOT EXISTS idx_voiding_target voiding_target TYPE bloom_filter(0.001) GRANULARITY 1;
