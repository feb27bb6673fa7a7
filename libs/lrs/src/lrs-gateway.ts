import { randomUUID } from 'node:crypto';
import type { JsonLogger, PipelineMetrics } from '@app/observability';
import type { ReferenceIndex } from '@app/reference';
import { validateStatements, xapiVersionFromHeader, type XapiVersion } from '@app/xapi';
import { AttendanceCsvError, parseAttendanceCsv } from './attendance-csv';
import { hasScope, type Credential, type CredentialScope, type CredentialStore } from './credentials';
import {
  BadRequestError,
  ForbiddenError,
  LrsHttpError,
  RateLimitedError,
  StatementValidationFailedError,
  UnauthenticatedError,
} from './errors';
import { TokenBucketLimiter } from './rate-limiter';
import { AttachmentIntake, readStatementUpload, type AttachmentStore } from './attachments';
import type { AttachmentPart } from '@app/xapi';
import { StatementIngest, type IngestContext } from './statement-ingest';
import type { LrsModuleOptions } from './lrs.options';
import { rejectUnknownParameters } from './query-params';
import type { StatementReader } from './read/statement-reader';
import { REGISTRY_LEARNER_HOME_PAGE } from '@app/enrichment';
import type { DocumentResource } from '@app/warehouse';
import { DocumentResources, type DocumentRequest } from './documents/documents';

/** What the controllers hand over: the parts of an HTTP request the Statement API looks at. */
export interface LrsRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

export interface LrsResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** The version every response states (the latest patch of the rule set the request asked for). */
export function responseVersion(version: XapiVersion | undefined): string {
  return version === '2.0.0' ? '2.0.0' : '1.0.3';
}

export const DEFAULT_AUTHORITY_HOME_PAGE = 'https://learn.jlp.cq.cn/xapi/credentials';
export const DEFAULT_LEARNER_HOME_PAGE = REGISTRY_LEARNER_HOME_PAGE;
export const DEFAULT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;
export const DEFAULT_STATEMENTS_PER_SECOND = 1000;

/**
 * The Statement API's write side without HTTP plumbing: version header, Basic credentials and scopes,
 * per-credential rate limit, validation, then StatementIngest. Every refusal is an LrsHttpError turned
 * into a response here, so the controllers only copy requests in and responses out.
 */
export class LrsGateway {
  readonly ingest: StatementIngest;
  private readonly reader?: StatementReader;
  private readonly attachmentStore?: AttachmentStore;
  private readonly credentials: CredentialStore;
  private readonly limiter: TokenBucketLimiter;
  private readonly reference: ReferenceIndex;
  private readonly learnerHomePage: string;
  private readonly metrics?: PipelineMetrics;
  private readonly logger?: JsonLogger;
  private readonly attachments: AttachmentIntake;
  private readonly documents: DocumentResources;

  constructor(options: LrsModuleOptions & { metrics?: PipelineMetrics }) {
    const nowMs = options.nowMs;
    this.credentials = options.credentials;
    this.reference = options.reference;
    this.metrics = options.metrics;
    this.logger = options.logger;
    this.learnerHomePage = options.learnerHomePage ?? DEFAULT_LEARNER_HOME_PAGE;
    this.limiter = new TokenBucketLimiter({
      statementsPerSecond: options.rateLimit?.statementsPerSecond ?? DEFAULT_STATEMENTS_PER_SECOND,
      burst: options.rateLimit?.burst,
      now: options.nowMs,
    });
    this.attachments = new AttachmentIntake(options.attachments);
    this.attachmentStore = options.attachments;
    this.ingest = new StatementIngest({
      producer: options.producer,
      lookup: options.lookup,
      authorityHomePage: options.authorityHomePage ?? DEFAULT_AUTHORITY_HOME_PAGE,
      recentCapacity: options.recentCapacity,
      metrics: options.metrics,
      now: nowMs ? () => new Date(nowMs()) : undefined,
      onAccepted: (statements) => options.reader?.consistency.accepted(statements),
    });
    this.reader = options.reader;
    const reader = options.reader;
    this.documents = new DocumentResources(
      options.documents,
      reader && ((activityId) => reader.activityDefinition(activityId)),
    );
  }

  /**
   * The document resources (State, Activity Profile, Agent Profile; Communication 2.3, 2.6, 2.7). State
   * needs the `state` scope, the profiles `profile`; reading is also allowed with `all/read`.
   */
  documentRequest(
    resource: DocumentResource,
    method: string,
    request: DocumentRequest,
  ): Promise<LrsResponse> {
    const scope: CredentialScope = resource === 'state' ? 'state' : 'profile';
    const scopes: CredentialScope[] = method === 'GET' || method === 'HEAD' ? [scope, 'all/read'] : [scope];
    return this.handle(
      request,
      scopes,
      async (call) => {
        if (method === 'PUT') return this.documents.put(resource, request, call.context.version);
        if (method === 'POST') return this.documents.post(resource, request);
        if (method === 'DELETE') return this.documents.delete(resource, request);
        return this.documents.get(resource, request);
      },
      { countsStatements: false },
    );
  }

  /** GET /xapi/agents (Communication 2.4): needs a statement read scope. */
  getAgents(request: LrsRequest): Promise<LrsResponse> {
    return this.handle(request, ['statements/read'], () => this.documents.agents(request), {
      countsStatements: false,
    });
  }

  /** GET /xapi/activities (Communication 2.5): needs a statement read scope. */
  getActivities(request: LrsRequest): Promise<LrsResponse> {
    return this.handle(request, ['statements/read'], () => this.documents.activities(request), {
      countsStatements: false,
    });
  }

  /** GET (and HEAD) /xapi/statements: the read side (libs/lrs/src/read). */
  getStatements(request: LrsRequest): Promise<LrsResponse> {
    return this.handle(request, 'statements/read', async () => {
      if (this.reader === undefined) {
        throw new LrsHttpError(503, 'unavailable', 'this gateway has no warehouse to read statements from');
      }
      // attachments=true answers multipart/mixed with the stored attachment data (read/statement-reader.ts).
      return this.reader.getStatements(request, this.attachmentStore);
    });
  }

  /** POST /xapi/statements: one statement or an array → 200 with the ids. */
  postStatements(request: LrsRequest): Promise<LrsResponse> {
    return this.handle(request, 'statements/write', async (call) => {
      rejectUnknownParameters(request.query, []);
      // Always an array of ids, even for a single statement (Communication 2.1.2).
      const upload = readStatementUpload(request);
      return { status: 200, body: await this.storeStatements(call, upload.body, upload.parts) };
    });
  }

  /** PUT /xapi/statements?statementId=…: one statement with that id → 204. */
  putStatements(request: LrsRequest): Promise<LrsResponse> {
    return this.handle(request, 'statements/write', async (call) => {
      rejectUnknownParameters(request.query, ['statementId']);
      const statementId = request.query.statementId;
      if (typeof statementId !== 'string' || statementId.length === 0) {
        throw new BadRequestError('PUT /statements requires the statementId parameter');
      }
      if (!UUID.test(statementId)) throw new BadRequestError(`statementId is not a UUID: ${statementId}`);
      const upload = readStatementUpload(request);
      const body = upload.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new BadRequestError('PUT /statements takes exactly one statement object');
      }
      const bodyId = (body as { id?: unknown }).id;
      if (
        bodyId !== undefined &&
        (typeof bodyId !== 'string' || bodyId.toLowerCase() !== statementId.toLowerCase())
      ) {
        throw new BadRequestError(
          `the statement's id (${String(bodyId)}) differs from the statementId parameter (${statementId})`,
        );
      }
      await this.storeStatements(call, { ...body, id: bodyId ?? statementId }, upload.parts);
      return { status: 204 };
    });
  }

  /**
   * POST /xapi/classroom/attendance (text/csv): one statement per row, source `classroom`. Good rows are
   * stored even when others are rejected (a teacher should not retype a sheet for one typo); the answer
   * lists both. 200 when at least one row was accepted (or the sheet had none), 400 when every row failed.
   */
  postAttendance(request: LrsRequest): Promise<LrsResponse> {
    return this.handle(request, 'statements/write', async (call) => {
      rejectUnknownParameters(request.query, []);
      if (typeof request.body !== 'string') {
        throw new BadRequestError('the attendance sheet must be sent as text/csv');
      }
      let sheet;
      try {
        sheet = parseAttendanceCsv(request.body, {
          reference: this.reference,
          learnerHomePage: this.learnerHomePage,
          boundLearningPointId: call.credential.boundLearningPointId,
        });
      } catch (error) {
        if (error instanceof AttendanceCsvError)
          throw new BadRequestError(error.message, { line: error.line });
        throw error;
      }
      call.statementCount = sheet.rows.length + sheet.rejected.length;
      this.rateLimit(call.credential, Math.max(1, sheet.rows.length));
      const outcomes = await this.ingest.storeEach(
        sheet.rows.map((r) => r.statement),
        { ...call.context, sourceType: 'classroom' },
      );
      const accepted: { line: number; id: string; status: 'stored' | 'duplicate' }[] = [];
      const rejected = [...sheet.rejected];
      outcomes.forEach((outcome, index) => {
        const line = sheet.rows[index].line;
        if (outcome.status === 'conflict') {
          rejected.push({
            line,
            reasons: [
              `statement ${outcome.id} for this row was already recorded with different content (first difference at ${outcome.path})`,
            ],
          });
        } else {
          accepted.push({ line, id: outcome.id, status: outcome.status });
        }
      });
      const conflicts = rejected.length - sheet.rejected.length;
      if (sheet.rejected.length > 0) {
        this.metrics?.statementsRejected.inc(
          { source: 'classroom', reason: 'invalid' },
          sheet.rejected.length,
        );
      }
      if (conflicts > 0)
        this.metrics?.statementsRejected.inc({ source: 'classroom', reason: 'conflict' }, conflicts);
      rejected.sort((a, b) => a.line - b.line);
      const status = accepted.length === 0 && rejected.length > 0 ? 400 : 200;
      return {
        status,
        body: {
          accepted,
          rejected,
          stored: accepted.filter((a) => a.status === 'stored').length,
          alreadyStored: accepted.filter((a) => a.status === 'duplicate').length,
        },
      };
    });
  }

  private async storeStatements(
    call: Call,
    body: unknown,
    parts?: readonly AttachmentPart[],
  ): Promise<string[]> {
    call.statementCount = Array.isArray(body) ? body.length : 1;
    this.rateLimit(call.credential, call.statementCount);
    const validation = validateStatements(body, { version: call.context.version });
    if (!validation.ok) throw new StatementValidationFailedError(validation.errors);
    // Attachment data is checked and stored durably before the statements are acknowledged.
    await this.attachments.accept(validation.statements, parts, {
      version: call.context.version,
      wasArray: validation.wasArray,
    });
    return this.ingest.storeAll(validation.statements, call.context);
  }

  private rateLimit(credential: Credential, statements: number): void {
    const decision = this.limiter.take(credential.key, statements);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
  }

  /**
   * Version header, credentials, scope (any of `scopes`), then `work`; every refusal becomes its answer.
   * `countsStatements: false` keeps refusals of non-statement resources out of the statements-rejected metric.
   */
  private async handle(
    request: LrsRequest,
    scopes: CredentialScope | readonly CredentialScope[],
    work: (call: Call) => Promise<Omit<LrsResponse, 'headers'> & { headers?: LrsResponse['headers'] }>,
    options: { countsStatements?: boolean } = {},
  ): Promise<LrsResponse> {
    let version: XapiVersion | undefined;
    let call: Call | undefined;
    try {
      version = parseVersion(request.headers);
      const credential = await this.authenticate(request.headers);
      const accepted = typeof scopes === 'string' ? [scopes] : scopes;
      if (!accepted.some((scope) => hasScope(credential, scope))) {
        throw new ForbiddenError(`credential ${credential.key} lacks the ${accepted.join(' or ')} scope`);
      }
      call = {
        credential,
        statementCount: 1,
        context: {
          credential,
          sourceType: credential.sourceType,
          version,
          requestId: requestIdFrom(request.headers),
        },
      };
      const response = await work(call);
      return {
        ...response,
        headers: { ...response.headers, 'X-Experience-API-Version': responseVersion(version) },
      };
    } catch (error) {
      return this.refusal(error, version, call, options.countsStatements ?? true);
    }
  }

  private refusal(
    error: unknown,
    version: XapiVersion | undefined,
    call: Call | undefined,
    countsStatements: boolean,
  ): LrsResponse {
    const source = call?.context.sourceType ?? 'unknown';
    const count = (reason: string) => {
      if (countsStatements)
        this.metrics?.statementsRejected.inc({ source, reason }, call?.statementCount ?? 1);
    };
    const headers = { 'X-Experience-API-Version': responseVersion(version) };
    if (error instanceof LrsHttpError) {
      count(error.reason);
      if (error.status >= 500) {
        this.logger?.event('warn', error.message, {
          requestId: call?.context.requestId,
          cause: error.cause instanceof Error ? error.cause.message : String(error.cause),
        });
      }
      return { status: error.status, headers: { ...headers, ...error.headers }, body: error.body() };
    }
    count('internal');
    this.logger?.event('error', 'xAPI request failed', {
      requestId: call?.context.requestId,
      error: error instanceof Error ? error.name : 'unknown',
      detail: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    const requestId = call?.context.requestId;
    return {
      status: 500,
      headers,
      body: {
        error: 'internal',
        message: 'internal error; nothing was stored',
        ...(requestId && { requestId }),
      },
    };
  }

  private async authenticate(headers: LrsRequest['headers']): Promise<Credential> {
    const header = single(headers.authorization);
    if (header === undefined) throw new UnauthenticatedError('credentials required (HTTP Basic)');
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!match) throw new UnauthenticatedError('only HTTP Basic credentials are accepted');
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new UnauthenticatedError('malformed Basic credentials');
    const credential = await this.credentials.verify(decoded.slice(0, colon), decoded.slice(colon + 1));
    if (!credential) throw new UnauthenticatedError('invalid credentials');
    return credential;
  }
}

interface Call {
  readonly credential: Credential;
  readonly context: IngestContext;
  /** For the rejection metric: how many statements the refused request carried. */
  statementCount: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseVersion(headers: LrsRequest['headers']): XapiVersion {
  const header = single(headers['x-experience-api-version']);
  if (header === undefined || header.trim() === '') {
    throw new BadRequestError('the X-Experience-API-Version header is required (e.g. 1.0.3)');
  }
  try {
    return xapiVersionFromHeader(header);
  } catch {
    throw new BadRequestError(`unsupported X-Experience-API-Version ${header}; supported: 1.0.x, 2.0.x`);
  }
}

function requestIdFrom(headers: LrsRequest['headers']): string {
  const given = single(headers['x-request-id']);
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}
