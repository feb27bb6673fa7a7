import { z } from 'zod';

import { ClickHouseDateTime64Schema } from './statement-row';
import type { QueryParams, Warehouse } from './warehouse.port';

/**
 * The filters of GET /xapi/statements (Communication 2.1.3) as the `statements` table answers them. Times
 * are ClickHouse DateTime64(6) UTC text (see toClickHouseDateTime64).
 */
export interface StatementFilter {
  /** Canonical actor key (libs/xapi actorKey) of the `agent` parameter. */
  readonly agentKey?: string;
  readonly relatedAgents?: boolean;
  readonly verbId?: string;
  readonly activityId?: string;
  readonly relatedActivities?: boolean;
  /** Lower-case UUID. */
  readonly registration?: string;
  /** Exclusive lower bound on stored (`since`). */
  readonly storedAfter?: string;
  /** Inclusive upper bound on stored (`until`, and the bound a paged query is pinned to). */
  readonly storedAtMost?: string;
}

/** A position in the (stored, id) order: the page continues strictly after it. */
export interface StatementPosition {
  readonly stored: string;
  /** Lower-case UUID. */
  readonly id: string;
}

export interface StatementPageQuery {
  readonly filter: StatementFilter;
  readonly ascending: boolean;
  /** Statements to return at most (the page size). */
  readonly limit: number;
  readonly after?: StatementPosition;
}

/** One stored statement as the read side returns it. */
export interface StoredStatementRow {
  /** Lower-case UUID. */
  readonly id: string;
  /** DateTime64(6) UTC text. */
  readonly stored: string;
  /** The statement JSON exactly as stored. */
  readonly raw: string;
}

export interface StatementPage {
  readonly rows: StoredStatementRow[];
  /** More statements match after the last row. */
  readonly more: boolean;
}

export interface StatementById extends StoredStatementRow {
  /** Another stored statement voids this one (Data 2.3.2.s2.b3). */
  readonly voided: boolean;
}

/**
 * How many StatementRef hops the filters follow (Communication 2.1.3.s3 applies them recursively). Each
 * hop adds one nested subquery; chains longer than this do not occur in practice.
 */
export const STATEMENT_REF_DEPTH = 4;

const RowSchema = z.object({ sid: z.string(), stored_at: ClickHouseDateTime64Schema, raw: z.string() });
const ByIdSchema = RowSchema.extend({ is_voided: z.union([z.boolean(), z.number()]) });

/**
 * A statement is voided when it is not itself a voiding statement and a stored voiding statement names it
 * (Data 2.3.2.s2.b3). Known from the voiding statement's own row, so voiding rewrites nothing.
 */
const VOIDED = `(voiding_target IS NULL AND id IN (SELECT assumeNotNull(voiding_target) FROM statements WHERE voiding_target IS NOT NULL))`;

/** The filters a statement matches by its own content (agent, verb, activity, registration). */
function directPredicate(
  filter: StatementFilter,
  params: Record<string, string | number>,
): string | undefined {
  const parts: string[] = [];
  if (filter.agentKey !== undefined) {
    params.agent = filter.agentKey;
    // Rows written before migration 0009 have empty key arrays: their actor key is all there is.
    parts.push(
      filter.relatedAgents
        ? `(has(related_agent_keys, {agent:String}) OR (empty(related_agent_keys) AND actor_key = {agent:String}))`
        : `(has(agent_keys, {agent:String}) OR (empty(agent_keys) AND actor_key = {agent:String}))`,
    );
  }
  if (filter.verbId !== undefined) {
    params.verb = filter.verbId;
    parts.push('verb_id = {verb:String}');
  }
  if (filter.activityId !== undefined) {
    params.activity = filter.activityId;
    const asObject = `(object_type = 'Activity' AND object_id = {activity:String})`;
    parts.push(
      filter.relatedActivities
        ? `(has(related_activity_ids, {activity:String}) OR (empty(related_activity_ids) AND ${asObject}))`
        : asObject,
    );
  }
  if (filter.registration !== undefined) {
    params.registration = filter.registration;
    parts.push('registration = {registration:UUID}');
  }
  return parts.length === 0 ? undefined : parts.join(' AND ');
}

/**
 * A statement matches when it matches directly or its StatementRef object targets a statement that
 * matches, recursively (Communication 2.1.3.s3). Targets are matched whether voided or not (2.1.4.s1.b2).
 */
function matchPredicate(direct: string, depth: number): string {
  let predicate = direct;
  for (let hop = 0; hop < depth; hop += 1) {
    predicate = `(${direct} OR (object_type = 'StatementRef' AND lower(object_id) IN (SELECT toString(id) FROM statements WHERE ${predicate})))`;
  }
  return predicate;
}

/**
 * One page of GET /xapi/statements in stored order (newest first unless ascending), id breaking ties.
 * Voided statements are left out (Communication 2.1.4.s1.b1). Same SQL on chdb and a server.
 */
export async function queryStatementPage(
  warehouse: Warehouse,
  query: StatementPageQuery,
): Promise<StatementPage> {
  const params: Record<string, string | number> = {};
  const where: string[] = [`NOT ${VOIDED}`];
  const direct = directPredicate(query.filter, params);
  if (direct !== undefined) where.push(matchPredicate(direct, STATEMENT_REF_DEPTH));
  if (query.filter.storedAfter !== undefined) {
    params.since = query.filter.storedAfter;
    where.push(`stored > toDateTime64({since:String}, 6, 'UTC')`);
  }
  if (query.filter.storedAtMost !== undefined) {
    params.until = query.filter.storedAtMost;
    where.push(`stored <= toDateTime64({until:String}, 6, 'UTC')`);
  }
  const direction = query.ascending ? 'ASC' : 'DESC';
  if (query.after !== undefined) {
    params.afterStored = query.after.stored;
    params.afterId = query.after.id;
    where.push(
      `(stored, id) ${query.ascending ? '>' : '<'} (toDateTime64({afterStored:String}, 6, 'UTC'), toUUID({afterId:String}))`,
    );
  }
  params.fetch = query.limit + 1;
  const order = `ORDER BY stored ${direction}, id ${direction} LIMIT 1 BY id LIMIT {fetch:UInt32}`;
  // Two phases: the page's ids from the narrow columns, then `raw` of those ids only (bloom filter on id);
  // reading `raw` for every candidate row made a page 4-6x slower on 200k statements.
  const rows = await warehouse.query(
    `SELECT toString(id) AS sid, toString(stored) AS stored_at, raw
     FROM statements
     WHERE id IN (SELECT id FROM statements WHERE ${where.join('\n       AND ')} ${order})
     ${order}`,
    params as QueryParams,
    RowSchema,
  );
  const page = rows.slice(0, query.limit).map((r) => ({ id: r.sid, stored: r.stored_at, raw: r.raw }));
  return { rows: page, more: rows.length > query.limit };
}

/** One statement by id, voided or not; undefined when it is not stored. */
export async function findStatementById(
  warehouse: Warehouse,
  id: string,
): Promise<StatementById | undefined> {
  const rows = await warehouse.query(
    `SELECT toString(id) AS sid, toString(stored) AS stored_at, raw,
            voiding_target IS NULL
              AND id IN (SELECT assumeNotNull(voiding_target) FROM statements WHERE voiding_target = {id:UUID})
              AS is_voided
     FROM statements
     WHERE id = {id:UUID}
     LIMIT 1`,
    { id: id.toLowerCase() },
    ByIdSchema,
  );
  if (rows.length === 0) return undefined;
  const row = rows[0];
  return { id: row.sid, stored: row.stored_at, raw: row.raw, voided: Boolean(row.is_voided) };
}

/** How many distinct definitions of one Activity the Activities Resource merges (the most recent ones). */
export const ACTIVITY_DEFINITIONS_MERGED = 100;
const DefinitionRowSchema = z.object({ definition: z.string() });

/**
 * The distinct definitions statements gave this Activity (as their object), oldest first by when each was
 * last seen: the Activities Resource merges them in this order (Communication 2.5, Data 2.4.4.1). Read from
 * `activity_definitions` (migration 0016), a few rows per Activity, plus the statements stored in the last
 * minute: an INSERT makes its `statements` part visible a moment before the views' parts, and a client that
 * just sent a definition must read it back.
 */
export async function findActivityDefinitions(warehouse: Warehouse, activityId: string): Promise<string[]> {
  const rows = await warehouse.query(
    `SELECT definition FROM (
       SELECT definition_hash, any(definition) AS definition, max(seen) AS last_seen
       FROM (
         SELECT definition_hash, definition, last_seen AS seen
         FROM activity_definitions
         WHERE activity_id = {activityId:String}
         UNION ALL
         SELECT sipHash64(JSONExtractRaw(raw, 'object', 'definition')) AS definition_hash,
                JSONExtractRaw(raw, 'object', 'definition') AS definition, stored AS seen
         FROM statements
         WHERE object_id = {activityId:String} AND object_type = 'Activity'
           AND stored > now64(6) - INTERVAL 60 SECOND AND JSONHas(raw, 'object', 'definition')
       )
       GROUP BY definition_hash
       ORDER BY last_seen DESC, definition_hash
       LIMIT {limit:UInt32}
     )
     ORDER BY last_seen, definition_hash`,
    { activityId, limit: ACTIVITY_DEFINITIONS_MERGED },
    DefinitionRowSchema,
  );
  return rows.map((row) => row.definition);
}
