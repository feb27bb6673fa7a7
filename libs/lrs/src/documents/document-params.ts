import { actorKey, agentSchema, type Agent } from '@app/xapi';
import type { DocumentResource } from '@app/warehouse';
import { BadRequestError } from '../errors';
import {
  queryIri,
  queryText as text,
  queryTimestamp as timestamp,
  queryUuid as uuid,
  rejectUnknownParameters as rejectUnknown,
  type QueryParams as Query,
} from '../query-params';

/** What a request to a document resource addresses (Communication 2.3, 2.6, 2.7). */
export interface DocumentAddress {
  readonly resource: DocumentResource;
  readonly activityId: string;
  readonly agentKey: string;
  /** Lower-case UUID; undefined when the request named none. */
  readonly registration?: string;
  /** stateId or profileId; undefined: the request is about every document of the context. */
  readonly documentId?: string;
  /** Only for a GET of the ids: ISO 8601, UTC. */
  readonly since?: string;
}

/** The parameters each resource takes, and which of them name the document. */
const RESOURCE_PARAMETERS: Readonly<
  Record<DocumentResource, { allowed: readonly string[]; idName: 'stateId' | 'profileId' }>
> = {
  state: { allowed: ['activityId', 'agent', 'registration', 'stateId', 'since'], idName: 'stateId' },
  activity_profile: { allowed: ['activityId', 'profileId', 'since'], idName: 'profileId' },
  agent_profile: { allowed: ['agent', 'profileId', 'since'], idName: 'profileId' },
};

export function documentIdParameter(resource: DocumentResource): 'stateId' | 'profileId' {
  return RESOURCE_PARAMETERS[resource].idName;
}

/**
 * Validates a document request's parameters: unknown or repeated ones, a missing activityId/agent, a
 * malformed IRI, Agent, UUID or timestamp → 400 naming the parameter. `since` only where ids are listed.
 */
export function parseDocumentAddress(
  resource: DocumentResource,
  query: Query,
  method: string,
): DocumentAddress {
  const { allowed, idName } = RESOURCE_PARAMETERS[resource];
  rejectUnknown(query, allowed);
  const documentId = text(query, idName);
  if (documentId !== undefined && documentId.length === 0)
    throw new BadRequestError(`parameter ${idName} is empty`);
  const writes = method === 'PUT' || method === 'POST';
  if (documentId === undefined && (writes || (method === 'DELETE' && resource !== 'state'))) {
    throw new BadRequestError(`${method} needs the ${idName} parameter`);
  }
  const since = timestamp(query, 'since');
  if (since !== undefined && (documentId !== undefined || method !== 'GET')) {
    throw new BadRequestError('parameter since is only for a GET of the ids (without the document id)');
  }
  const registration = resource === 'state' ? uuid(query, 'registration') : undefined;
  return {
    resource,
    activityId: resource === 'agent_profile' ? '' : activityIdOf(query),
    agentKey: resource === 'activity_profile' ? '' : agentKeyOf(query),
    ...(registration !== undefined && { registration }),
    ...(documentId !== undefined && { documentId }),
    ...(since !== undefined && { since }),
  };
}

/** The Agents Resource's only parameter: the Agent, validated (Communication 2.4). */
export function parseAgentsQuery(query: Query): Agent {
  rejectUnknown(query, ['agent']);
  return agentOf(query);
}

/** The Activities Resource's only parameter (Communication 2.5). */
export function parseActivitiesQuery(query: Query): string {
  rejectUnknown(query, ['activityId']);
  return activityIdOf(query);
}

function activityIdOf(query: Query): string {
  const value = queryIri(query, 'activityId');
  if (value === undefined) throw new BadRequestError('parameter activityId is required');
  return value;
}

function agentOf(query: Query): Agent {
  const value = text(query, 'agent');
  if (value === undefined) throw new BadRequestError('parameter agent is required');
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new BadRequestError('parameter agent must be an Agent object as JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new BadRequestError('parameter agent must be an Agent object as JSON');
  }
  // objectType may be left out of an Agent (Data 2.4.2.1); a Group is not an Agent here (Communication 2.6).
  const parsed = agentSchema.safeParse({ objectType: 'Agent', ...json });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new BadRequestError(`parameter agent is not a valid Agent${where}: ${issue?.message}`);
  }
  return parsed.data as Agent;
}

function agentKeyOf(query: Query): string {
  return actorKey(agentOf(query));
}
