import type { FastifyInstance } from 'fastify';
import {
  checkSignatureAttachment,
  isSignatureAttachment,
  mediaTypeEssence,
  MultipartError,
  parseStatementMultipart,
  sha2Of,
  SignatureVerificationError,
  verifyStatementSignature,
  type Attachment,
  type AttachmentPart,
  type Statement,
  type XapiVersion,
} from '@app/xapi';
import { loadAttachments, storeAttachments, type AttachmentContent, type Warehouse } from '@app/warehouse';
import { BadRequestError, LrsHttpError } from './errors';

export type { AttachmentContent } from '@app/warehouse';

/**
 * Where attachment data is kept: content-addressed by sha2. `storeAttachments` resolves only once the data
 * is durable (the gateway acknowledges the statements after it).
 */
export interface AttachmentStore {
  storeAttachments(attachments: readonly AttachmentContent[]): Promise<void>;
  /** Keys are lower-case sha2s; sha2s not stored are absent. */
  loadAttachments(sha2s: readonly string[]): Promise<Map<string, AttachmentContent>>;
}

/** The `attachments` table of the warehouse (migrations/0010_attachments.sql). */
export class WarehouseAttachmentStore implements AttachmentStore {
  constructor(private readonly warehouse: Warehouse) {}

  storeAttachments(attachments: readonly AttachmentContent[]): Promise<void> {
    return storeAttachments(this.warehouse, attachments);
  }

  loadAttachments(sha2s: readonly string[]): Promise<Map<string, AttachmentContent>> {
    return loadAttachments(this.warehouse, sha2s);
  }
}

/** Attachment data in memory (tests). */
export class InMemoryAttachmentStore implements AttachmentStore {
  readonly stored = new Map<string, AttachmentContent>();
  /** Make the next store call fail (tests of the not-durable path). */
  failNext?: Error;

  async storeAttachments(attachments: readonly AttachmentContent[]): Promise<void> {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    for (const a of attachments) this.stored.set(a.sha2.toLowerCase(), { ...a, sha2: a.sha2.toLowerCase() });
  }

  async loadAttachments(sha2s: readonly string[]): Promise<Map<string, AttachmentContent>> {
    const found = new Map<string, AttachmentContent>();
    for (const sha2 of sha2s) {
      const hit = this.stored.get(sha2.toLowerCase());
      if (hit) found.set(hit.sha2, hit);
    }
    return found;
  }
}

/** A Statement API write body: the statement JSON, and the attachment parts when it came as multipart/mixed. */
export interface StatementUpload {
  readonly body: unknown;
  /** undefined for an application/json request; the parts after the first for multipart/mixed. */
  readonly parts?: readonly AttachmentPart[];
}

/**
 * Splits a POST/PUT body into statements and attachment parts. Bodies of multipart types arrive as a Buffer
 * (see registerMultipartBodyParser); only multipart/mixed is the Statement API's (Communication 1.5), any
 * other multipart type is a 400. A body that is not multipart is passed through.
 */
export function readStatementUpload(request: {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}): StatementUpload {
  if (!Buffer.isBuffer(request.body)) return { body: request.body };
  const header = request.headers['content-type'];
  const contentType = (Array.isArray(header) ? header[0] : header) ?? '';
  if (mediaTypeEssence(contentType) !== 'multipart/mixed') {
    throw new BadRequestError(
      `statements must be sent as application/json or multipart/mixed, not ${contentType || 'without a Content-Type'}`,
    );
  }
  try {
    const { statements, attachments } = parseStatementMultipart(request.body, contentType);
    return { body: statements, parts: attachments };
  } catch (error) {
    if (error instanceof MultipartError) throw new BadRequestError(`multipart/mixed body: ${error.message}`);
    throw error;
  }
}

/**
 * Makes Fastify hand multipart bodies (up to the body limit) to the controllers as a Buffer; readStatementUpload
 * takes it from there.
 */
export function registerMultipartBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  const multipart = /^multipart\//i;
  if (fastify.hasContentTypeParser(multipart)) return;
  fastify.addContentTypeParser(multipart, { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    // Other routes keep Fastify's 415 for multipart bodies; only the Statement Resource reads them.
    if (!STATEMENTS_URL.test(request.url)) {
      done(Object.assign(new Error(`${request.url} does not accept multipart bodies`), { statusCode: 415 }));
      return;
    }
    done(null, body);
  });
}

const STATEMENTS_URL = /^\/xapi\/statements(?:[/?]|$)/;

/** 501: attachment data was sent to a gateway that has nowhere durable to keep it. */
export class AttachmentsNotSupportedError extends LrsHttpError {
  constructor() {
    super(
      501,
      'unavailable',
      'this gateway has no attachment store (it runs without a warehouse: XAPI_CONFLICT_LOOKUP=recent-only); ' +
        'send attachments with a fileUrl, or to a gateway with a warehouse; nothing was stored',
    );
    this.name = 'AttachmentsNotSupportedError';
  }
}

/** 503: the attachment data could not be written durably, so the statements were not sent on. */
export class AttachmentsNotDurableError extends LrsHttpError {
  constructor(cause: unknown) {
    super(
      503,
      'unavailable',
      'the attachment data could not be stored durably (warehouse unavailable); nothing was stored, retry the same request',
      {},
      { 'Retry-After': '1' },
      { cause },
    );
    this.name = 'AttachmentsNotDurableError';
  }
}

interface AttachmentRef {
  readonly statement: number;
  /** JSON path of the attachment in the request, e.g. `[0].attachments[1]`. */
  readonly path: string;
  readonly attachment: Attachment;
}

function attachmentRefs(statements: readonly Statement[], wasArray: boolean): AttachmentRef[] {
  const refs: AttachmentRef[] = [];
  statements.forEach((statement, index) => {
    const prefix = wasArray ? `[${index}].` : '';
    statement.attachments?.forEach((attachment, at) =>
      refs.push({ statement: index, path: `${prefix}attachments[${at}]`, attachment }),
    );
    // Data 2.4.11: attachments of a SubStatement are allowed (if discouraged); their data is matched too.
    const object = statement.object as { objectType?: string; attachments?: readonly Attachment[] };
    if (object.objectType === 'SubStatement') {
      object.attachments?.forEach((attachment, at) =>
        refs.push({ statement: index, path: `${prefix}object.attachments[${at}]`, attachment }),
      );
    }
  });
  return refs;
}

/**
 * The attachment rules of a Statement API write (Communication 1.5, Data 2.4.11, Data 2.6), after the
 * statements were validated and before they are stored: every attachment without fileUrl has a part with
 * its sha2, every part belongs to an attachment and hashes to its X-Experience-API-Hash, every signature
 * verifies; then the parts' data is stored durably. Throws a 400 naming the attachment or part at fault.
 */
export class AttachmentIntake {
  constructor(private readonly store: AttachmentStore | undefined) {}

  async accept(
    statements: readonly Statement[],
    parts: readonly AttachmentPart[] | undefined,
    options: { version: XapiVersion; wasArray: boolean },
  ): Promise<void> {
    const refs = attachmentRefs(statements, options.wasArray);
    const byHash = new Map<string, AttachmentPart>();
    (parts ?? []).forEach((part, at) => {
      // Part 0 of the body is the statements; attachment parts are numbered from 1.
      const actual = sha2Of(part.content, part.sha2);
      if (actual !== part.sha2) {
        throw new BadRequestError(
          `multipart part ${at + 1}: its content hashes to ${actual}, not to its X-Experience-API-Hash ${part.sha2}`,
          { part: at + 1, sha2: part.sha2 },
        );
      }
      byHash.set(part.sha2, part);
    });
    const referenced = new Set(refs.map((r) => r.attachment.sha2.toLowerCase()));
    (parts ?? []).forEach((part, at) => {
      if (!referenced.has(part.sha2)) {
        throw new BadRequestError(
          `multipart part ${at + 1} (X-Experience-API-Hash ${part.sha2}) matches no attachment of the statements`,
          { part: at + 1, sha2: part.sha2 },
        );
      }
    });
    for (const ref of refs) {
      const sha2 = ref.attachment.sha2.toLowerCase();
      if (ref.attachment.fileUrl !== undefined || byHash.has(sha2)) continue;
      throw new BadRequestError(
        parts === undefined
          ? `${ref.path}: an attachment without fileUrl needs its data, sent as a multipart/mixed part with X-Experience-API-Hash ${sha2}`
          : `${ref.path}: no multipart part has X-Experience-API-Hash ${sha2} and the attachment has no fileUrl`,
        { path: ref.path, sha2 },
      );
    }
    this.verifySignatures(statements, refs, byHash, options.version);
    if (byHash.size === 0) return;
    if (!this.store) throw new AttachmentsNotSupportedError();
    const declared = new Map<string, string>();
    for (const ref of refs) {
      const sha2 = ref.attachment.sha2.toLowerCase();
      if (!declared.has(sha2)) declared.set(sha2, ref.attachment.contentType);
    }
    const contents = [...byHash.values()].map((part): AttachmentContent => ({
      sha2: part.sha2,
      contentType: declared.get(part.sha2) ?? part.contentType ?? 'application/octet-stream',
      content: part.content,
    }));
    try {
      await this.store.storeAttachments(contents);
    } catch (error) {
      throw new AttachmentsNotDurableError(error);
    }
  }

  private verifySignatures(
    statements: readonly Statement[],
    refs: readonly AttachmentRef[],
    byHash: ReadonlyMap<string, AttachmentPart>,
    version: XapiVersion,
  ): void {
    for (const ref of refs) {
      // A SubStatement cannot be signed on its own: only the statement's own attachments are signatures.
      if (!isSignatureAttachment(ref.attachment) || ref.path.includes('object.')) continue;
      const sha2 = ref.attachment.sha2.toLowerCase();
      try {
        checkSignatureAttachment(ref.attachment);
        const part = byHash.get(sha2);
        if (part === undefined) {
          throw new BadRequestError(
            `${ref.path}: a signature must be sent with its data (a multipart/mixed part) so that it can be verified`,
            { path: ref.path, sha2 },
          );
        }
        verifyStatementSignature(statements[ref.statement], part.content, { version });
      } catch (error) {
        if (!(error instanceof SignatureVerificationError)) throw error;
        throw new BadRequestError(`${ref.path}: invalid signature: ${error.message}`, {
          path: ref.path,
          signatureError: error.reason,
        });
      }
    }
  }
}
