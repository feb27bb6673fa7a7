import { actorKey, type Actor } from '@app/xapi';

/** The columns of migration 0009 the Statement API's `agent`, `related_agents` and `related_activities` filters read. */
export interface StatementRelationColumns {
  agent_keys: string[];
  related_agent_keys: string[];
  related_activity_ids: string[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The keys an actor matches under: its own (unless an anonymous Group) and its members' (Communication 2.1.3 `agent`). */
export function actorMatchKeys(actor: unknown): string[] {
  if (!isObject(actor)) return [];
  const keys: string[] = [];
  if (
    actor.mbox !== undefined ||
    actor.mbox_sha1sum !== undefined ||
    actor.openid !== undefined ||
    actor.account !== undefined
  ) {
    keys.push(actorKey(actor as Actor));
  }
  if (actor.objectType === 'Group' && Array.isArray(actor.member)) {
    for (const member of actor.member) keys.push(...actorMatchKeys(member));
  }
  return keys;
}

function objectAgentKeys(object: unknown): string[] {
  if (!isObject(object)) return [];
  return object.objectType === 'Agent' || object.objectType === 'Group' ? actorMatchKeys(object) : [];
}

function contextAgentKeys(context: unknown): string[] {
  if (!isObject(context)) return [];
  const keys = [...actorMatchKeys(context.instructor), ...actorMatchKeys(context.team)];
  // xAPI 2.0 context agents and groups are "related" too.
  if (Array.isArray(context.contextAgents)) {
    for (const entry of context.contextAgents) if (isObject(entry)) keys.push(...actorMatchKeys(entry.agent));
  }
  if (Array.isArray(context.contextGroups)) {
    for (const entry of context.contextGroups) if (isObject(entry)) keys.push(...actorMatchKeys(entry.group));
  }
  return keys;
}

function contextActivityIds(context: unknown): string[] {
  if (!isObject(context) || !isObject(context.contextActivities)) return [];
  const ids: string[] = [];
  for (const list of Object.values(context.contextActivities)) {
    // Stored statements have arrays; a single object is tolerated for rows written by older code.
    for (const activity of Array.isArray(list) ? list : [list]) {
      if (isObject(activity) && typeof activity.id === 'string') ids.push(activity.id);
    }
  }
  return ids;
}

function objectActivityIds(object: unknown): string[] {
  if (!isObject(object) || typeof object.id !== 'string') return [];
  return object.objectType === undefined || object.objectType === 'Activity' ? [object.id] : [];
}

const unique = (values: string[]): string[] => [...new Set(values)];

/**
 * Computes the relation columns from a stored statement (its JSON object). Throws what actorKey throws for
 * an actor the validator would have refused; a validated statement always maps.
 */
export function statementRelationColumns(statement: unknown): StatementRelationColumns {
  if (!isObject(statement)) return { agent_keys: [], related_agent_keys: [], related_activity_ids: [] };
  const agentKeys = [...actorMatchKeys(statement.actor), ...objectAgentKeys(statement.object)];
  const related = [
    ...agentKeys,
    ...actorMatchKeys(statement.authority),
    ...contextAgentKeys(statement.context),
  ];
  const activities = [...objectActivityIds(statement.object), ...contextActivityIds(statement.context)];
  const sub = statement.object;
  if (isObject(sub) && sub.objectType === 'SubStatement') {
    related.push(
      ...actorMatchKeys(sub.actor),
      ...objectAgentKeys(sub.object),
      ...contextAgentKeys(sub.context),
    );
    activities.push(...objectActivityIds(sub.object), ...contextActivityIds(sub.context));
  }
  return {
    agent_keys: unique(agentKeys),
    related_agent_keys: unique(related),
    related_activity_ids: unique(activities),
  };
}
