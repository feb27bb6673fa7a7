import { createHash, randomBytes } from 'node:crypto';
import { isSha2Hex } from './formats';

// Communication 1.5.2: statements with attachment data travel as RFC 2046 multipart/mixed. The first part
// holds the statement(s) as application/json; every further part holds the raw octets of one attachment,
// named by its SHA-2 (X-Experience-API-Hash) and sent with Content-Transfer-Encoding: binary.

/** One body part: header names in lower case, the raw content. */
export interface MultipartPart {
  readonly headers: Readonly<Record<string, string>>;
  readonly content: Buffer;
}

/** An attachment part of a statement request, checked against the spec's part rules. */
export interface AttachmentPart {
  /** X-Experience-API-Hash, lower case. */
  readonly sha2: string;
  /** The part's Content-Type, if it had one (the spec says SHOULD). */
  readonly contentType?: string;
  readonly content: Buffer;
}

export interface StatementMultipart {
  /** The parsed JSON of the first part: one statement or an array. */
  readonly statements: unknown;
  readonly attachments: readonly AttachmentPart[];
}

/** The body is not a multipart/mixed document the Statement API accepts; the message says why. */
export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_BOUNDARY_LENGTH = 70;

/** The media type without parameters, lower case (`Text/Plain; charset=x` → `text/plain`). */
export function mediaTypeEssence(contentType: string): string {
  return contentType.split(';', 1)[0].trim().toLowerCase();
}

/** The boundary parameter of a multipart Content-Type header (quoted or not). */
export function boundaryFromContentType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  const params = semicolon < 0 ? '' : contentType.slice(semicolon + 1);
  const match = /(?:^|;)\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]+))/i.exec(params);
  const boundary = match ? (match[1]?.replace(/\\(.)/g, '$1') ?? match[2]) : undefined;
  if (boundary === undefined || boundary.length === 0) {
    throw new MultipartError(`the Content-Type ${contentType} has no boundary parameter`);
  }
  if (boundary.length > MAX_BOUNDARY_LENGTH) {
    throw new MultipartError(`the multipart boundary is longer than ${MAX_BOUNDARY_LENGTH} characters`);
  }
  return boundary;
}

/**
 * Splits an RFC 2046 multipart body into its parts. Lines end in CRLF; a preamble before the first
 * boundary and an epilogue after the closing one are ignored. Throws MultipartError when the boundary
 * never occurs, a part's headers are malformed, or the closing delimiter is missing.
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const boundary = boundaryFromContentType(contentType);
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.concat([CRLF, dashBoundary]);
  // The first boundary may open the body (no preceding CRLF) or follow a preamble.
  let position: number;
  if (body.subarray(0, dashBoundary.length).equals(dashBoundary)) {
    position = dashBoundary.length;
  } else {
    const at = body.indexOf(delimiter);
    if (at < 0) throw new MultipartError(`the body does not contain the boundary ${boundary}`);
    position = at + delimiter.length;
  }
  const parts: MultipartPart[] = [];
  for (;;) {
    if (body[position] === 0x2d && body[position + 1] === 0x2d) {
      // "--boundary--": the close delimiter; the rest is epilogue.
      if (parts.length === 0) throw new MultipartError('the multipart body has no parts');
      return parts;
    }
    position = skipTransportPadding(body, position);
    if (!body.subarray(position, position + 2).equals(CRLF)) {
      throw new MultipartError(`a boundary line must end with CRLF (after part ${parts.length})`);
    }
    position += 2;
    const next = body.indexOf(delimiter, position);
    if (next < 0) {
      throw new MultipartError(`the multipart body has no closing boundary --${boundary}--`);
    }
    parts.push(parsePart(body.subarray(position, next), parts.length));
    position = next + delimiter.length;
  }
}

function skipTransportPadding(body: Buffer, position: number): number {
  let at = position;
  while (body[at] === 0x20 || body[at] === 0x09) at += 1;
  return at;
}

function parsePart(raw: Buffer, index: number): MultipartPart {
  // A part that starts with CRLF has no headers.
  let headerText = '';
  let content: Buffer;
  if (raw.subarray(0, 2).equals(CRLF)) {
    content = raw.subarray(2);
  } else {
    const end = raw.indexOf(HEADER_END);
    if (end < 0) throw new MultipartError(`part ${index} has no blank line after its headers`);
    headerText = raw.subarray(0, end).toString('latin1');
    content = raw.subarray(end + HEADER_END.length);
  }
  const headers: Record<string, string> = {};
  for (const line of headerText.length === 0 ? [] : headerText.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`part ${index} has a malformed header line: ${line}`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, content };
}

/**
 * A Statement API multipart/mixed request body (Communication 1.5.2.s2): the statements from the first
 * part, which must be application/json, and the attachment parts, each with an X-Experience-API-Hash and
 * Content-Transfer-Encoding: binary. The hashes are not checked against the content here (see
 * sha2Of); matching parts to attachments is the caller's.
 */
export function parseStatementMultipart(body: Buffer, contentType: string): StatementMultipart {
  const [first, ...rest] = parseMultipart(body, contentType);
  const firstType = first.headers['content-type'];
  if (firstType === undefined) {
    throw new MultipartError(
      'the first part (the statements) has no Content-Type; it must be application/json',
    );
  }
  if (mediaTypeEssence(firstType) !== 'application/json') {
    throw new MultipartError(`the first part (the statements) must be application/json, not ${firstType}`);
  }
  let statements: unknown;
  try {
    statements = JSON.parse(first.content.toString('utf8'));
  } catch (error) {
    throw new MultipartError(
      `the first part is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const attachments = rest.map((part, at): AttachmentPart => {
    const index = at + 1;
    const hash = part.headers['x-experience-api-hash'];
    if (hash === undefined) throw new MultipartError(`part ${index} has no X-Experience-API-Hash header`);
    if (!isSha2Hex(hash)) {
      throw new MultipartError(`part ${index}: X-Experience-API-Hash ${hash} is not a hex SHA-2 hash`);
    }
    const encoding = part.headers['content-transfer-encoding'];
    if (encoding === undefined) {
      throw new MultipartError(`part ${index} has no Content-Transfer-Encoding header (it must be binary)`);
    }
    if (encoding.toLowerCase() !== 'binary') {
      throw new MultipartError(`part ${index}: Content-Transfer-Encoding must be binary, not ${encoding}`);
    }
    const partType = part.headers['content-type'];
    return {
      sha2: hash.toLowerCase(),
      ...(partType !== undefined && { contentType: partType }),
      content: part.content,
    };
  });
  return { statements, attachments };
}

const ALGORITHM_BY_HEX_LENGTH: Readonly<Record<number, string>> = {
  56: 'sha224',
  64: 'sha256',
  96: 'sha384',
  128: 'sha512',
};

/** The SHA-2 variant a hex hash of this length comes from (224, 256, 384 or 512 bits). */
export function sha2AlgorithmFor(sha2: string): string {
  const algorithm = ALGORITHM_BY_HEX_LENGTH[sha2.length];
  if (algorithm === undefined || !isSha2Hex(sha2))
    throw new MultipartError(`${sha2} is not a hex SHA-2 hash`);
  return algorithm;
}

/** The hex SHA-2 of content, in the variant (and so the length) of `like`, e.g. a declared sha2. */
export function sha2Of(content: Buffer, like: string): string {
  return createHash(sha2AlgorithmFor(like)).update(content).digest('hex');
}

export interface MultipartBody {
  /** The Content-Type header to send, with the boundary. */
  readonly contentType: string;
  readonly body: Buffer;
}

/** A boundary that does not occur in any of the contents (random, re-drawn on the rare collision). */
function boundaryFor(contents: readonly Buffer[]): string {
  for (;;) {
    const boundary = `xapi-${randomBytes(18).toString('hex')}`;
    const needle = Buffer.from(`--${boundary}`, 'latin1');
    if (!contents.some((content) => content.includes(needle))) return boundary;
  }
}

/** Builds a multipart/mixed body (CRLF line ends, closing delimiter) from parts. */
export function buildMultipart(parts: readonly MultipartPart[], boundary?: string): MultipartBody {
  const chosen = boundary ?? boundaryFor(parts.map((p) => p.content));
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const headerLines = Object.entries(part.headers).map(([name, value]) => `${name}: ${value}\r\n`);
    chunks.push(Buffer.from(`--${chosen}\r\n${headerLines.join('')}\r\n`, 'latin1'), part.content, CRLF);
  }
  chunks.push(Buffer.from(`--${chosen}--\r\n`, 'latin1'));
  return { contentType: `multipart/mixed; boundary=${chosen}`, body: Buffer.concat(chunks) };
}

export interface OutgoingAttachment {
  readonly sha2: string;
  readonly contentType: string;
  readonly content: Buffer;
}

/**
 * A Statement API multipart/mixed response (Communication 2.1.3.s2.b6): the JSON (a statement or a
 * StatementResult) first, then one part per attachment (each sha2 once).
 */
export function buildStatementMultipart(
  json: unknown,
  attachments: readonly OutgoingAttachment[],
): MultipartBody {
  const seen = new Set<string>();
  const parts: MultipartPart[] = [
    {
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      content: Buffer.from(JSON.stringify(json), 'utf8'),
    },
  ];
  for (const attachment of attachments) {
    const sha2 = attachment.sha2.toLowerCase();
    if (seen.has(sha2)) continue;
    seen.add(sha2);
    parts.push({
      headers: {
        'Content-Type': attachment.contentType,
        'Content-Transfer-Encoding': 'binary',
        'X-Experience-API-Hash': sha2,
      },
      content: attachment.content,
    });
  }
  return buildMultipart(parts);
}
