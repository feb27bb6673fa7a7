import { randomUUID } from 'node:crypto';
import type { MessageProducer, OutgoingMessage } from '@app/bus';
import { encodeMessage, topics, type StatementSource, type StatementSourceType } from '@app/contracts';
import type { PipelineMetrics } from '@app/observability';
import {
  actorKey,
  isIdentifiedActor,
  VOIDED_VERB_ID,
  prepareForStorage,
  statementDifference,
  validateStatement,
  type Actor,
  type Authority,
  type Statement,
  type StoredStatement,
  type XapiVersion,
} from '@app/xapi';
import type { Credential } from './credentials';
import {
  BadRequestError,
  LrsHttpError,
  StatementConflictError,
  StatementsNotDurableError,
  StoredStatementUnreadableError,
} from './errors';
import { RecentStatements } from './recent-statements';
import type { StatementLookup } from './statement-lookup';

export interface IngestContext {
  readonly credential: Credential;
  /** The source type written into the messages (the credential's, or `classroom` for attendance sheets). */
  readonly sourceType: StatementSourceType;
  /** The rule set of the request (from X-Experience-API-Version). */
  readonly version: XapiVersion;
  readonly requestId: string;
}

export interface StatementIngestOptions {
  readonly producer: MessageProducer;
  readonly lookup: StatementLookup;
  /** homePage of the authority account assigned to every statement (account name = credential key). */
  readonly authorityHomePage: string;
  /** How many recently accepted statements are remembered for the conflict check (default 100,000). */
  readonly recentCapacity?: number;
  readonly metrics?: PipelineMetrics;
  readonly now?: () => Date;
  /** Told about every new statement once the bus acknowledged it (the read side's consistency). */
  readonly onAccepted?: (statements: readonly { id: string; stored: string }[]) => void;
}

/** What happened to one statement of a partially accepted upload. */
export type IngestOutcome =
  | { readonly status: 'stored'; readonly id: string }
  | { readonly status: 'duplicate'; readonly id: string }
  | { readonly status: 'conflict'; readonly id: string; readonly path: string };

type Plan =
  | { kind: 'new'; id: string; statement: StoredStatement; settle?: (ok: boolean) => void }
  | { kind: 'duplicate'; id: string; durable: Promise<boolean> | undefined }
  | { kind: 'conflict'; id: string; path: string };

const STATEMENTS_RECEIVED = topics.statementsReceived;

/**
 * The write side of the Statement API, independent of HTTP: completes validated statements (id, stored,
 * authority, version), checks ids against stored and recently accepted statements, and produces the new
 * ones to `xapi.statements.received.v1`. Resolves only after the bus acknowledged every new statement.
 */
export class StatementIngest {
  private readonly recent: RecentStatements;
  private readonly now: () => Date;

  constructor(private readonly options: StatementIngestOptions) {
    this.recent = new RecentStatements(options.recentCapacity);
    this.now = options.now ?? (() => new Date());
  }

  authorityFor(credential: Credential): Authority {
    return {
      objectType: 'Agent',
      ...(credential.name !== undefined && { name: credential.name }),
      account: { homePage: this.options.authorityHomePage, name: credential.key },
    };
  }

  /**
   * All or nothing (POST/PUT): returns the ids in request order; throws StatementConflictError for the
   * first id stored with different content, StatementsNotDurableError when the bus did not acknowledge.
   */
  async storeAll(statements: readonly Statement[], context: IngestContext): Promise<string[]> {
    const plans = await this.plan(statements, context);
    const conflict = plans.find((p) => p.kind === 'conflict');
    if (conflict) {
      this.abandon(plans);
      throw new StatementConflictError(conflict.id, conflict.path);
    }
    await this.produce(plans, context);
    return plans.map((p) => p.id);
  }

  /**
   * Each statement on its own (attendance uploads): a conflicting statement is reported and the others are
   * stored. A bus failure still fails the whole call (nothing is acknowledged).
   */
  async storeEach(statements: readonly Statement[], context: IngestContext): Promise<IngestOutcome[]> {
    const plans = await this.plan(statements, context);
    await this.produce(plans, context);
    return plans.map((p): IngestOutcome => {
      if (p.kind === 'conflict') return { status: 'conflict', id: p.id, path: p.path };
      return { status: p.kind === 'new' ? 'stored' : 'duplicate', id: p.id };
    });
  }

  private async plan(statements: readonly Statement[], context: IngestContext): Promise<Plan[]> {
    const stored = this.now().toISOString();
    const authority = this.authorityFor(context.credential);
    const prepared = statements.map((s) =>
      prepareForStorage(s, { stored, authority, version: context.version }),
    );
    // Only ids the client chose can already exist; generated ones are fresh.
    const clientIds = statements.flatMap((s) => (s.id === undefined ? [] : [s.id.toLowerCase()]));
    // Voiding targets are looked up too: a voiding statement cannot be voided (Data 2.3.2.s1).
    const targets = prepared.flatMap((s) => {
      const target = voidingTarget(s);
      return target === undefined ? [] : [target];
    });
    const unknown = [...new Set([...clientIds, ...targets])].filter(
      (id) => this.recent.get(id) === undefined,
    );
    let found = new Map<string, string>();
    if (unknown.length > 0) {
      try {
        found = await this.options.lookup.findByIds(unknown);
      } catch (error) {
        throw new LrsHttpError(
          503,
          'unavailable',
          'stored statements cannot be checked for conflicts right now (warehouse unavailable); nothing was stored, retry the same request',
          {},
          { 'Retry-After': '1' },
          { cause: error },
        );
      }
    }
    rejectVoidingOfVoiding(prepared, (id) => {
      const raw = found.get(id);
      return this.recent.get(id)?.statement ?? (raw === undefined ? undefined : readStored(id, raw));
    });
    // From here to the end no await: checking and registering ids is atomic against concurrent requests.
    const inThisRequest = new Map<string, StoredStatement>();
    const plans: Plan[] = [];
    try {
      for (const statement of prepared) {
        const id = statement.id.toLowerCase();
        const earlier = inThisRequest.get(id);
        const recent = this.recent.get(id);
        const raw = found.get(id);
        const existing =
          earlier ?? recent?.statement ?? (raw === undefined ? undefined : readStored(id, raw));
        if (existing !== undefined) {
          const path = statementDifference(existing, statement);
          plans.push(
            path === undefined
              ? { kind: 'duplicate', id: statement.id, durable: earlier ? undefined : recent?.durable }
              : { kind: 'conflict', id: statement.id, path },
          );
          continue;
        }
        inThisRequest.set(id, statement);
        plans.push({ kind: 'new', id: statement.id, statement, settle: this.recent.begin(statement) });
      }
    } catch (error) {
      this.abandon(plans);
      throw error;
    }
    return plans;
  }

  private abandon(plans: readonly Plan[]): void {
    for (const p of plans) if (p.kind === 'new') p.settle?.(false);
  }

  private async produce(plans: readonly Plan[], context: IngestContext): Promise<void> {
    const fresh = plans.filter((p): p is Extract<Plan, { kind: 'new' }> => p.kind === 'new');
    const source: StatementSource = {
      type: context.sourceType,
      credentialKey: context.credential.key,
      ...(context.credential.boundLearningPointId !== undefined && {
        boundLearningPointId: context.credential.boundLearningPointId,
      }),
    };
    const receivedAt = this.now().toISOString();
    let messages: OutgoingMessage[];
    try {
      messages = fresh.map((p) =>
        encodeMessage(STATEMENTS_RECEIVED, {
          key: messageKey(p.statement.actor),
          value: { statement: p.statement, receivedAt, source, requestId: context.requestId },
        }),
      );
    } catch (error) {
      this.abandon(plans);
      throw error;
    }
    try {
      if (messages.length > 0) await this.options.producer.send(STATEMENTS_RECEIVED.name, messages);
    } catch (error) {
      this.abandon(plans);
      throw new StatementsNotDurableError(error);
    }
    for (const p of fresh) p.settle?.(true);
    if (fresh.length > 0) {
      this.options.onAccepted?.(fresh.map((p) => ({ id: p.statement.id, stored: p.statement.stored })));
    }
    this.options.metrics?.messagesOut.inc({ topic: STATEMENTS_RECEIVED.name }, messages.length);
    // A re-send of a statement another request is still sending is acknowledged only once that one is.
    const pending = plans.flatMap((p) => (p.kind === 'duplicate' && p.durable ? [p.durable] : []));
    if ((await Promise.all(pending)).some((ok) => !ok)) {
      throw new StatementsNotDurableError(
        new Error('a concurrent request with the same statement id failed'),
      );
    }
    const accepted = plans.filter((p) => p.kind !== 'conflict').length;
    this.options.metrics?.statementsAccepted.inc({ source: context.sourceType }, accepted);
  }
}

/** The partition key: the canonical actor key, so one learner's statements stay in order. */
export function messageKey(actor: Actor): string {
  if (isIdentifiedActor(actor)) return actorKey(actor);
  // An anonymous Group has no identity; its sorted member keys keep one group's statements together.
  const members = (actor.member ?? []).map((m) => actorKey(m)).sort();
  return `anonymous-group:${members.join(',')}`;
}

/** The id a voiding statement voids (lower case), or undefined for any other statement. */
function voidingTarget(statement: Statement): string | undefined {
  const object = statement.object as { objectType?: string; id?: string };
  return statement.verb.id === VOIDED_VERB_ID &&
    object.objectType === 'StatementRef' &&
    object.id !== undefined
    ? object.id.toLowerCase()
    : undefined;
}

/** 400 when a statement voids a voiding statement, stored or in the same request (Data 2.3.2.s1). */
function rejectVoidingOfVoiding(
  statements: readonly StoredStatement[],
  stored: (id: string) => Statement | undefined,
): void {
  const inRequest = new Map(statements.map((s) => [s.id.toLowerCase(), s]));
  for (const statement of statements) {
    const target = voidingTarget(statement);
    if (target === undefined) continue;
    const voided = inRequest.get(target) ?? stored(target);
    if (voided !== undefined && voidingTarget(voided) !== undefined) {
      throw new BadRequestError(
        `statement ${statement.id} voids ${target}, which is itself a voiding statement; a voiding statement cannot be voided`,
      );
    }
  }
}

function readStored(id: string, raw: string): Statement {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new StoredStatementUnreadableError(id, error instanceof Error ? error.message : String(error));
  }
  const version =
    typeof json === 'object' &&
    json !== null &&
    String((json as { version?: unknown }).version).startsWith('2.')
      ? '2.0.0'
      : '1.0.3';
  const result = validateStatement(json, { version });
  if (!result.ok)
    throw new StoredStatementUnreadableError(id, result.errors.map((e) => e.message).join('; '));
  return result.statement;
}

export function newRequestId(): string {
  return randomUUID();
}
