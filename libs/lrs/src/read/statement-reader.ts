import {
  findActivityDefinitions,
  findStatementById,
  queryStatementPage,
  toClickHouseDateTime64,
  fromClickHouseDateTime64,
  type StatementFilter,
  type Warehouse,
} from '@app/warehouse';
import { attachmentsResponse } from '../attachments-response';
import { mergeActivityDefinitions } from './activity-definitions';
import type { AttachmentStore } from '../attachments';
import { LrsHttpError } from '../errors';
import { decodeMoreCursor, encodeMoreCursor, type MoreCursor } from './more-cursor';
import { formatStatement, parseAcceptLanguage } from './statement-format';
import { MORE_PARAMETER, parseGetStatementsParams, type StatementQueryFilter } from './statement-params';
import type { ReadConsistency } from './read-consistency';

/** Largest page a query returns (also what `limit=0` means). */
export const DEFAULT_MAX_PAGE_SIZE = 500;

/** The path `more` links start with (relative to the server, so they survive proxies that keep paths). */
export const STATEMENTS_PATH = '/xapi/statements';

export interface StatementReaderOptions {
  readonly warehouse: Warehouse;
  readonly consistency: ReadConsistency;
  readonly maxPageSize?: number;
}

export interface ReadRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query: Readonly<Record<string, unknown>>;
}

export interface ReadAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export class StatementNotFoundError extends LrsHttpError {
  constructor(id: string, voided: boolean) {
    super(
      404,
      'not-found',
      voided
        ? `no voided statement ${id} (it is not stored, or not voided: ask by statementId)`
        : `no statement ${id} (it is not stored, or it was voided: ask by voidedStatementId)`,
    );
    this.name = 'StatementNotFoundError';
  }
}

/** HTTP-date (RFC 7231) of a DateTime64 UTC text, for Last-Modified. */
function httpDate(stored: string): string {
  return new Date(fromClickHouseDateTime64(stored)).toUTCString();
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * GET /xapi/statements from the warehouse (Communication 2.1.3): one statement by statementId or
 * voidedStatementId, or a page of a query with a `more` link. Authentication and the version header are
 * the gateway's; this answers an authorised request or throws an LrsHttpError.
 */
export class StatementReader {
  readonly consistency: ReadConsistency;
  private readonly warehouse: Warehouse;
  private readonly maxPageSize: number;

  constructor(options: StatementReaderOptions) {
    this.warehouse = options.warehouse;
    this.consistency = options.consistency;
    this.maxPageSize = options.maxPageSize ?? DEFAULT_MAX_PAGE_SIZE;
  }

  /**
   * With `attachments=true` and a store, the answer is multipart/mixed (Communication 2.1.3.s2.b6): the
   * JSON document first, then the data of every attachment it refers to; without a store, plain JSON.
   */
  async getStatements(request: ReadRequest, attachments?: AttachmentStore): Promise<ReadAnswer> {
    const { attachments: wanted, ...answer } = await this.getDocument(request);
    if (!wanted || attachments === undefined) return answer;
    return attachmentsResponse(answer.body, attachments, answer.headers);
  }

  /**
   * The Activity's definition merged from the statements stored so far (Activities Resource, Communication
   * 2.5). Like a statement query it first waits for statements this process acknowledged, so a client that
   * just sent one reads its definition.
   */
  async activityDefinition(activityId: string): Promise<Record<string, unknown> | undefined> {
    await this.consistency.settle();
    const definitions = await findActivityDefinitions(this.warehouse, activityId);
    return mergeActivityDefinitions(definitions.map((text) => JSON.parse(text) as Record<string, unknown>));
  }

  private async getDocument(request: ReadRequest): Promise<ReadAnswer & { attachments: boolean }> {
    const params = parseGetStatementsParams(request.query);
    const consistentThrough = await this.consistency.settle();
    const languages = parseAcceptLanguage(single(request.headers['accept-language']));
    const headers: Record<string, string> = { 'X-Experience-API-Consistent-Through': consistentThrough };

    if (params.kind === 'single') {
      const row = await findStatementById(this.warehouse, params.id);
      if (row === undefined || row.voided !== params.voided) {
        throw new StatementNotFoundError(params.id, params.voided);
      }
      headers['Last-Modified'] = httpDate(row.stored);
      return {
        status: 200,
        headers,
        body: formatStatement(JSON.parse(row.raw), params.format, languages),
        attachments: params.attachments,
      };
    }

    const cursor: Omit<MoreCursor, 'after'> & { after?: MoreCursor['after'] } =
      params.kind === 'more'
        ? decodeMoreCursor(params.token)
        : {
            filter: params.filter,
            format: params.format,
            attachments: params.attachments,
            ascending: params.ascending,
            limit: params.limit === 0 ? this.maxPageSize : Math.min(params.limit, this.maxPageSize),
            // Pinned for every later page: statements stored after this moment never enter this result.
            storedAtMost: toClickHouseDateTime64(consistentThrough),
          };
    const page = await queryStatementPage(this.warehouse, {
      filter: warehouseFilter(cursor.filter, cursor.storedAtMost),
      ascending: cursor.ascending,
      limit: cursor.limit,
      after: cursor.after,
    });
    const statements = page.rows.map((row) => formatStatement(JSON.parse(row.raw), cursor.format, languages));
    let more = '';
    if (page.more && page.rows.length > 0) {
      const last = page.rows[page.rows.length - 1];
      more = `${STATEMENTS_PATH}?${MORE_PARAMETER}=${encodeMoreCursor({ ...cursor, after: { stored: last.stored, id: last.id } })}`;
    }
    const newest = page.rows
      .map((r) => r.stored)
      .sort()
      .at(-1);
    if (newest !== undefined) headers['Last-Modified'] = httpDate(newest);
    return { status: 200, headers, body: { statements, more }, attachments: cursor.attachments };
  }
}

function warehouseFilter(filter: StatementQueryFilter, pinned: string): StatementFilter {
  const until = filter.until === undefined ? undefined : toClickHouseDateTime64(filter.until);
  return {
    agentKey: filter.agentKey,
    relatedAgents: filter.relatedAgents,
    verbId: filter.verb,
    activityId: filter.activity,
    relatedActivities: filter.relatedActivities,
    registration: filter.registration,
    storedAfter: filter.since === undefined ? undefined : toClickHouseDateTime64(filter.since),
    storedAtMost: until !== undefined && until < pinned ? until : pinned,
  };
}
