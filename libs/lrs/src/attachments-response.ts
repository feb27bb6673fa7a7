import { buildStatementMultipart, type OutgoingAttachment } from '@app/xapi';
import type { AttachmentStore } from './attachments';
import { LrsHttpError } from './errors';

/** An answer whose body is already bytes (a multipart/mixed document), to be sent as is. */
export interface BinaryLrsResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** 500: a stored statement refers to attachment data (no fileUrl) that the store does not hold. */
export class AttachmentDataMissingError extends LrsHttpError {
  constructor(readonly sha2s: readonly string[]) {
    super(
      500,
      'unavailable',
      `attachment data missing from the store for sha2 ${sha2s.join(', ')}; retry with attachments=false`,
      { sha2s },
    );
    this.name = 'AttachmentDataMissingError';
  }
}

interface AttachmentLike {
  readonly sha2?: unknown;
  readonly contentType?: unknown;
  readonly fileUrl?: unknown;
}

function attachmentsOf(statement: unknown): AttachmentLike[] {
  if (typeof statement !== 'object' || statement === null) return [];
  const { attachments, object } = statement as { attachments?: unknown; object?: unknown };
  const own = Array.isArray(attachments) ? (attachments as AttachmentLike[]) : [];
  const sub =
    typeof object === 'object' &&
    object !== null &&
    (object as { objectType?: unknown }).objectType === 'SubStatement'
      ? attachmentsOf(object)
      : [];
  return [...own, ...sub];
}

/** The statements of a GET answer: a StatementResult's `statements`, or the single statement itself. */
function statementsOf(document: unknown): unknown[] {
  if (typeof document === 'object' && document !== null && !Array.isArray(document)) {
    const list = (document as { statements?: unknown }).statements;
    if (Array.isArray(list)) return list;
    return [document];
  }
  return Array.isArray(document) ? document : [];
}

/**
 * GET /xapi/statements?attachments=true (Communication 2.1.3.s2.b6, 1.5.2): the multipart/mixed answer.
 * `document` is exactly what the JSON answer would have been (one statement, or a StatementResult with
 * `statements` and `more`); it becomes the first part, followed by the data of every attachment its
 * statements (and their SubStatements) refer to, each sha2 once. Attachments with a fileUrl whose data was
 * never uploaded are left out; one without fileUrl whose data is missing is an AttachmentDataMissingError.
 * `headers` (X-Experience-API-Version, Consistent-Through, Last-Modified, ...) are passed through; the
 * Content-Type with the boundary is added.
 */
export async function attachmentsResponse(
  document: unknown,
  store: AttachmentStore,
  headers: Readonly<Record<string, string>> = {},
): Promise<BinaryLrsResponse> {
  const wanted = new Map<string, { contentType: string; required: boolean }>();
  for (const statement of statementsOf(document)) {
    for (const a of attachmentsOf(statement)) {
      if (typeof a.sha2 !== 'string') continue;
      const sha2 = a.sha2.toLowerCase();
      const required = a.fileUrl === undefined || (wanted.get(sha2)?.required ?? false);
      const contentType =
        wanted.get(sha2)?.contentType ?? (typeof a.contentType === 'string' ? a.contentType : '');
      wanted.set(sha2, { contentType, required });
    }
  }
  const found = wanted.size === 0 ? new Map() : await store.loadAttachments([...wanted.keys()]);
  const missing = [...wanted].filter(([sha2, w]) => w.required && !found.has(sha2)).map(([sha2]) => sha2);
  if (missing.length > 0) throw new AttachmentDataMissingError(missing);
  const attachments: OutgoingAttachment[] = [...wanted].flatMap(([sha2, w]) => {
    const data = found.get(sha2);
    if (data === undefined) return [];
    return [{ sha2, contentType: w.contentType || data.contentType, content: data.content }];
  });
  const { contentType, body } = buildStatementMultipart(document, attachments);
  return { status: 200, headers: { ...headers, 'Content-Type': contentType }, body };
}
