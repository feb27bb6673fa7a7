import { actorKey, actorSchema, type Actor } from '@app/xapi';
import { BadRequestError } from '../errors';
import {
  queryIri as iri,
  queryText as text,
  queryTimestamp as timestamp,
  queryUuid as uuid,
  rejectUnknownParameters,
  type QueryParams,
} from '../query-params';

export type StatementFormat = 'ids' | 'exact' | 'canonical';

/** The filters of a GET /xapi/statements query, as the client gave them (times ISO 8601). */
export interface StatementQueryFilter {
  /** Canonical actor key of the `agent` parameter. */
  readonly agentKey?: string;
  readonly relatedAgents?: boolean;
  readonly verb?: string;
  readonly activity?: string;
  readonly relatedActivities?: boolean;
  /** Lower case. */
  readonly registration?: string;
  readonly since?: string;
  readonly until?: string;
}

export type GetStatementsParams =
  | {
      readonly kind: 'single';
      /** statementId (voided: false) or voidedStatementId (voided: true); lower case. */
      readonly id: string;
      readonly voided: boolean;
      readonly format: StatementFormat;
      readonly attachments: boolean;
    }
  | {
      readonly kind: 'query';
      readonly filter: StatementQueryFilter;
      /** 0: the server's maximum. */
      readonly limit: number;
      readonly format: StatementFormat;
      readonly attachments: boolean;
      readonly ascending: boolean;
    }
  | { readonly kind: 'more'; readonly token: string };

/** The parameter that carries a `more` link's cursor (ours, not the spec's). */
export const MORE_PARAMETER = 'more';

const QUERY_PARAMETERS = [
  'statementId',
  'voidedStatementId',
  'agent',
  'verb',
  'activity',
  'registration',
  'related_activities',
  'related_agents',
  'since',
  'until',
  'limit',
  'format',
  'attachments',
  'ascending',
] as const;
const WITH_SINGLE = new Set(['statementId', 'voidedStatementId', 'format', 'attachments']);

function boolean(query: QueryParams, name: string): boolean {
  const value = text(query, name);
  if (value === undefined) return false;
  if (value !== 'true' && value !== 'false') {
    throw new BadRequestError(`parameter ${name} must be true or false, got ${JSON.stringify(value)}`);
  }
  return value === 'true';
}

function format(query: QueryParams): StatementFormat {
  const value = text(query, 'format') ?? 'exact';
  if (value !== 'ids' && value !== 'exact' && value !== 'canonical') {
    throw new BadRequestError(
      `parameter format must be ids, exact or canonical, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function limit(query: QueryParams): number {
  const value = text(query, 'limit');
  if (value === undefined) return 0;
  if (!/^\d{1,9}$/.test(value)) {
    throw new BadRequestError(`parameter limit must be a nonnegative integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** The `agent` parameter: a JSON Agent or identified Group (Communication 2.1.3.s1.table1.row3). */
function agentKeyOf(query: QueryParams): string | undefined {
  const value = text(query, 'agent');
  if (value === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new BadRequestError('parameter agent must be an Agent or identified Group as JSON');
  }
  const candidate =
    typeof json === 'object' && json !== null && !Array.isArray(json) && !('objectType' in json)
      ? { ...json, objectType: 'Agent' }
      : json;
  const parsed = actorSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new BadRequestError(
      `parameter agent is not a valid Agent or Group: ${parsed.error.issues[0]?.message}`,
    );
  }
  const actor = parsed.data as Actor;
  if (
    actor.mbox === undefined &&
    actor.mbox_sha1sum === undefined &&
    actor.openid === undefined &&
    actor.account === undefined
  ) {
    throw new BadRequestError(
      'parameter agent must identify an Agent or Group (an anonymous Group cannot be matched)',
    );
  }
  return actorKey(actor);
}

/**
 * Validates the parameters of GET /xapi/statements (Communication 2.1.3 and 3.2: an unknown parameter,
 * a repeated one, statementId with voidedStatementId, or either with anything but format/attachments → 400).
 */
export function parseGetStatementsParams(query: QueryParams): GetStatementsParams {
  const names = Object.keys(query);
  if (names.includes(MORE_PARAMETER)) {
    if (names.length > 1) throw new BadRequestError('a more link takes no other parameters');
    const token = text(query, MORE_PARAMETER);
    if (!token) throw new BadRequestError('parameter more is empty');
    return { kind: 'more', token };
  }
  rejectUnknownParameters(query, QUERY_PARAMETERS);
  const statementId = uuid(query, 'statementId');
  const voidedStatementId = uuid(query, 'voidedStatementId');
  if (statementId !== undefined && voidedStatementId !== undefined) {
    throw new BadRequestError('statementId and voidedStatementId cannot be used together');
  }
  const id = statementId ?? voidedStatementId;
  if (id !== undefined) {
    const others = names.filter((name) => !WITH_SINGLE.has(name));
    if (others.length > 0) {
      throw new BadRequestError(
        `with statementId or voidedStatementId only format and attachments are allowed, not ${others.join(', ')}`,
      );
    }
    return {
      kind: 'single',
      id,
      voided: voidedStatementId !== undefined,
      format: format(query),
      attachments: boolean(query, 'attachments'),
    };
  }
  const since = timestamp(query, 'since');
  const until = timestamp(query, 'until');
  return {
    kind: 'query',
    filter: {
      agentKey: agentKeyOf(query),
      relatedAgents: boolean(query, 'related_agents'),
      verb: iri(query, 'verb'),
      activity: iri(query, 'activity'),
      relatedActivities: boolean(query, 'related_activities'),
      registration: uuid(query, 'registration'),
      since,
      until,
    },
    limit: limit(query),
    format: format(query),
    attachments: boolean(query, 'attachments'),
    ascending: boolean(query, 'ascending'),
  };
}
