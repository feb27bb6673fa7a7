import {
  documentEtag,
  type DocumentContext,
  type DocumentKey,
  type DocumentResource,
  type DocumentStore,
  type StoredDocument,
} from '@app/warehouse';
import type { Agent, XapiVersion } from '@app/xapi';
import { BadRequestError, LrsHttpError } from '../errors';
import type { LrsRequest, LrsResponse } from '../lrs-gateway';
import {
  documentIdParameter,
  parseActivitiesQuery,
  parseAgentsQuery,
  parseDocumentAddress,
  type DocumentAddress,
} from './document-params';
import { KeyedMutex } from './keyed-mutex';

/** The definition of an Activity merged from what statements gave it, if any (Communication 2.5). */
export type ActivityDefinitionLookup = (activityId: string) => Promise<Record<string, unknown> | undefined>;

/** A document request: the parsed query, the headers, and the body as the octets that were sent. */
export interface DocumentRequest extends LrsRequest {
  readonly body: Buffer | undefined;
}

type Answer = Omit<LrsResponse, 'headers'> & { headers?: LrsResponse['headers'] };

const JSON_TYPE = 'application/json';
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export class PreconditionFailedError extends LrsHttpError {
  constructor(message: string) {
    super(412, 'precondition-failed', message);
    this.name = 'PreconditionFailedError';
  }
}

/** 409 for a PUT that would overwrite a profile the client has not seen (Communication 3.1.s4.b13–b15). */
export class DocumentConflictError extends LrsHttpError {
  constructor(idName: string) {
    super(
      409,
      'conflict',
      `a document with this ${idName} exists: check its current state (GET) and send If-Match with its ETag ` +
        `to replace it (or If-None-Match: * to create only); nothing was changed`,
    );
    this.name = 'DocumentConflictError';
  }
}

export class DocumentNotFoundError extends LrsHttpError {
  constructor(idName: string) {
    super(404, 'not-found', `no document with this ${idName} in this context`);
    this.name = 'DocumentNotFoundError';
  }
}

/**
 * The document resources (State, Activity Profile, Agent Profile; Communication 2.2–2.7 and the ETag
 * concurrency of 3.1), and the Agents and Activities resources (2.4, 2.5). Every write of one document is
 * read-check-write under a per-document lock, so preconditions and JSON merges never interleave.
 */
export class DocumentResources {
  private readonly locks = new KeyedMutex();

  /** Without a store the document resources answer 503; /xapi/agents and /xapi/activities still answer. */
  constructor(
    private readonly documents: DocumentStore | undefined,
    private readonly activityDefinitions?: ActivityDefinitionLookup,
  ) {}

  private get store(): DocumentStore {
    if (this.documents === undefined) {
      throw new LrsHttpError(
        503,
        'unavailable',
        'this gateway does not serve the document resources (State, Activity and Agent Profiles): it has ' +
          'no warehouse, or XAPI_DOCUMENTS=off (one replica serves them); send them to the one that does',
      );
    }
    return this.documents;
  }

  async get(resource: DocumentResource, request: DocumentRequest): Promise<Answer> {
    const address = parseDocumentAddress(resource, request.query, 'GET');
    if (address.documentId === undefined) {
      // Without a registration: the documents of every registration (2.3.s4), each id once.
      const documents = await this.store.list(address, address.since);
      const body = [...new Set(documents.map((d) => d.documentId))];
      const newest = documents.reduce((max, d) => (d.updated > max ? d.updated : max), '');
      return {
        status: 200,
        headers: {
          ETag: quoted(documentEtag(Buffer.from(JSON.stringify(body)))),
          ...(newest && { 'Last-Modified': new Date(newest).toUTCString() }),
        },
        body,
      };
    }
    const document = await this.store.get(keyOf(address));
    if (document === undefined) throw new DocumentNotFoundError(documentIdParameter(resource));
    return { status: 200, headers: documentHeaders(document), body: document.content };
  }

  /**
   * PUT: store (replace) the document. Profiles need If-Match or If-None-Match; so does replacing a State
   * document in xAPI 2.0 (1.0.3 lets State be replaced without them, Communication 3.1.s3).
   */
  put(resource: DocumentResource, request: DocumentRequest, version: XapiVersion = '1.0.3'): Promise<Answer> {
    const address = parseDocumentAddress(resource, request.query, 'PUT');
    const content = bodyOf(request);
    const contentType = contentTypeOf(request);
    // Any octets may be stored, but what calls itself JSON must be JSON.
    if (isJsonType(contentType)) jsonOf(content, 'the document');
    return this.locked(address, async (key) => {
      const current = await this.store.get(key);
      const unconditional =
        header(request, 'if-match') === undefined && header(request, 'if-none-match') === undefined;
      if (unconditional && resource === 'state' && version === '2.0.0' && current !== undefined) {
        throw new DocumentConflictError(documentIdParameter(resource));
      }
      if (unconditional && resource !== 'state') {
        if (current !== undefined) throw new DocumentConflictError(documentIdParameter(resource));
        throw new BadRequestError(
          'a PUT to a profile needs If-Match (the ETag of a GET) or If-None-Match: * (Communication ' +
            '3.1.s3.b1); nothing was stored',
        );
      }
      checkPreconditions(request, current);
      const stored = await this.store.put(key, content, contentType);
      return { status: 204, headers: { ETag: quoted(stored.etag) } };
    });
  }

  /** POST: store the document, or merge a JSON object into the stored JSON object (Communication 2.2.s7). */
  post(resource: DocumentResource, request: DocumentRequest): Promise<Answer> {
    const address = parseDocumentAddress(resource, request.query, 'POST');
    const content = bodyOf(request);
    const contentType = contentTypeOf(request);
    // A posted JSON document must be an object: it is merged, or later POSTs merge into it.
    const posted = isJsonType(contentType) ? jsonObjectOf(content, 'the posted document') : undefined;
    return this.locked(address, async (key) => {
      const current = await this.store.get(key);
      checkPreconditions(request, current);
      if (current === undefined) {
        const stored = await this.store.put(key, content, contentType);
        return { status: 204, headers: { ETag: quoted(stored.etag) } };
      }
      if (posted === undefined || !isJsonType(current.contentType)) {
        throw new BadRequestError(
          `POST merges JSON documents only: the posted document is ${contentType} and the stored one ` +
            `${current.contentType}; use PUT to replace it; nothing was changed`,
        );
      }
      const merged = { ...jsonObjectOf(current.content, 'the stored document'), ...posted };
      const stored = await this.store.put(key, Buffer.from(JSON.stringify(merged)), JSON_TYPE);
      return { status: 204, headers: { ETag: quoted(stored.etag) } };
    });
  }

  /** DELETE one document, or (State only, without stateId) every document of the context. */
  async delete(resource: DocumentResource, request: DocumentRequest): Promise<Answer> {
    const address = parseDocumentAddress(resource, request.query, 'DELETE');
    if (address.documentId === undefined) {
      // State only: every document of the context, of every registration when none is named (2.3.s5).
      const documents = await this.store.list(address);
      await this.store.delete(
        documents.map((d) => ({
          ...contextOf(address),
          registration: d.registration,
          documentId: d.documentId,
        })),
      );
      return { status: 204 };
    }
    return this.locked(address, async (key) => {
      const current = await this.store.get(key);
      checkPreconditions(request, current);
      await this.store.delete([key]);
      return { status: 204 };
    });
  }

  /** GET /xapi/agents: the Person object of the Agent; this LRS knows no other identities of it (2.4.s3.b3). */
  async agents(request: LrsRequest): Promise<Answer> {
    return { status: 200, body: personOf(parseAgentsQuery(request.query)) };
  }

  /** GET /xapi/activities: the Activity with the definition merged from statements (2.5). */
  async activities(request: LrsRequest): Promise<Answer> {
    const activityId = parseActivitiesQuery(request.query);
    const definition = await this.activityDefinitions?.(activityId);
    const body = { objectType: 'Activity', id: activityId, ...(definition && { definition }) };
    return { status: 200, headers: { ETag: quoted(documentEtag(Buffer.from(JSON.stringify(body)))) }, body };
  }

  private locked(address: DocumentAddress, work: (key: DocumentKey) => Promise<Answer>): Promise<Answer> {
    const key = keyOf(address);
    const lockKey = JSON.stringify([
      key.resource,
      key.activityId,
      key.agentKey,
      key.registration,
      key.documentId,
    ]);
    return this.locks.run(lockKey, () => work(key));
  }
}

/** A single document's context: without a registration, the documents stored without one. */
function contextOf(address: DocumentAddress): DocumentContext {
  return {
    resource: address.resource,
    activityId: address.activityId,
    agentKey: address.agentKey,
    registration: address.registration ?? '',
  };
}

function keyOf(address: DocumentAddress): DocumentKey {
  if (address.documentId === undefined) throw new Error('a single-document request without its id');
  return { ...contextOf(address), documentId: address.documentId };
}

function documentHeaders(document: StoredDocument): Record<string, string> {
  return {
    'Content-Type': document.contentType,
    ETag: quoted(document.etag),
    'Last-Modified': new Date(document.updated).toUTCString(),
  };
}

function header(request: LrsRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** If-Match / If-None-Match as RFC 7232 says: a list of quoted ETags, or `*`. */
function checkPreconditions(request: LrsRequest, current: StoredDocument | undefined): void {
  const ifMatch = header(request, 'if-match');
  if (ifMatch !== undefined) {
    const tags = etagList(ifMatch);
    const matches = current !== undefined && (tags.includes('*') || tags.includes(current.etag));
    if (!matches) {
      throw new PreconditionFailedError(
        current === undefined
          ? 'If-Match: there is no such document; nothing was changed'
          : `If-Match: the document has changed (its ETag is now "${current.etag}"); nothing was changed`,
      );
    }
  }
  const ifNoneMatch = header(request, 'if-none-match');
  if (ifNoneMatch !== undefined && current !== undefined) {
    const tags = etagList(ifNoneMatch);
    if (tags.includes('*') || tags.includes(current.etag)) {
      throw new PreconditionFailedError('If-None-Match: the document exists; nothing was changed');
    }
  }
}

function etagList(value: string): string[] {
  return value
    .split(',')
    .map((tag) =>
      tag
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase(),
    )
    .filter((tag) => tag.length > 0);
}

function bodyOf(request: DocumentRequest): Buffer {
  return request.body ?? Buffer.alloc(0);
}

function contentTypeOf(request: LrsRequest): string {
  return header(request, 'content-type')?.trim() || DEFAULT_CONTENT_TYPE;
}

function isJsonType(contentType: string): boolean {
  return contentType.split(';')[0].trim().toLowerCase() === JSON_TYPE;
}

function jsonOf(content: Buffer, what: string): unknown {
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    throw new BadRequestError(`${what} is not valid JSON (its Content-Type says it is); nothing was changed`);
  }
}

function jsonObjectOf(content: Buffer, what: string): Record<string, unknown> {
  const parsed = jsonOf(content, what);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError(`${what} is not a JSON object; nothing was changed`);
  }
  return parsed as Record<string, unknown>;
}

function quoted(etag: string): string {
  return `"${etag}"`;
}

/** A Person object (Communication 2.4.s5): each property of the Agent as a one-element array. */
function personOf(agent: Agent): Record<string, unknown> {
  return {
    objectType: 'Person',
    ...(agent.name !== undefined && { name: [agent.name] }),
    ...(agent.mbox !== undefined && { mbox: [agent.mbox] }),
    ...(agent.mbox_sha1sum !== undefined && { mbox_sha1sum: [agent.mbox_sha1sum] }),
    ...(agent.openid !== undefined && { openid: [agent.openid] }),
    ...(agent.account !== undefined && { account: [agent.account] }),
  };
}
