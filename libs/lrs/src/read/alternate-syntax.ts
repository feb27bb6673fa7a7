import { BadRequestError } from '../errors';
import type { LrsRequest, LrsResponse } from '../lrs-gateway';

/** Form fields that stand for request headers in the alternate request syntax (Communication 1.3.s3.b6). */
const HEADER_FIELDS = [
  'authorization',
  'x-experience-api-version',
  'content-type',
  'content-length',
  'if-match',
  'if-none-match',
];

/** HEAD is left out: a POST answer always has a body, and GET gives the same headers. */
export type AlternateMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface AlternateRequest {
  readonly method: AlternateMethod;
  readonly request: LrsRequest;
}

/** Whether a POST uses the alternate request syntax (a `method` query parameter). */
export function isAlternateRequest(query: Readonly<Record<string, unknown>>): boolean {
  return Object.prototype.hasOwnProperty.call(query, 'method');
}

/**
 * Turns a POST in the alternate request syntax (Communication 1.3: `?method=X`, form-encoded body whose
 * header fields act as headers, `content` as the body and every other field as a query parameter) into
 * the request it stands for. Throws BadRequestError when the request breaks the syntax's rules.
 */
export function fromAlternateSyntax(request: LrsRequest): AlternateRequest {
  const names = Object.keys(request.query);
  if (names.length !== 1) {
    throw new BadRequestError('with the alternate request syntax, method must be the only query parameter');
  }
  const method = String(request.query.method).toUpperCase();
  if (!['GET', 'PUT', 'POST', 'DELETE'].includes(method)) {
    throw new BadRequestError(
      `alternate request syntax: unknown method ${JSON.stringify(request.query.method)}`,
    );
  }
  const form = request.body ?? {};
  const type = String(request.headers['content-type'] ?? '').toLowerCase();
  if (request.body !== undefined && !type.startsWith('application/x-www-form-urlencoded')) {
    throw new BadRequestError(
      'the method parameter (alternate request syntax) needs an application/x-www-form-urlencoded body',
    );
  }
  if (typeof form !== 'object' || Array.isArray(form)) {
    throw new BadRequestError('the alternate request syntax needs an application/x-www-form-urlencoded body');
  }
  const headers: Record<string, string | string[] | undefined> = { ...request.headers };
  delete headers['content-type'];
  delete headers['content-length'];
  const query: Record<string, unknown> = {};
  let content: string | undefined;
  for (const [name, value] of Object.entries(form as Record<string, unknown>)) {
    const lower = name.toLowerCase();
    if (lower === 'content') {
      if (typeof value !== 'string') throw new BadRequestError('the content form field must be given once');
      content = value;
    } else if (HEADER_FIELDS.includes(lower)) {
      if (typeof value !== 'string') throw new BadRequestError(`form field ${name} must be given once`);
      headers[lower] = value;
    } else {
      query[name] = value;
    }
  }
  if (String(headers['x-experience-api-version'] ?? '').startsWith('2.')) {
    throw new BadRequestError('the alternate request syntax (method parameter) is not part of xAPI 2.0');
  }
  let body: unknown;
  if (content !== undefined && content !== '') {
    const type = String(headers['content-type'] ?? 'application/json').toLowerCase();
    if (type.startsWith('application/json')) {
      try {
        body = JSON.parse(content);
      } catch {
        throw new BadRequestError('the content form field is not valid JSON');
      }
    } else {
      body = content;
    }
  }
  return { method: method as AlternateMethod, request: { headers, query, body } };
}

/** The gateway operations the alternate syntax can stand for on the Statement Resource. */
export interface StatementResourceHandlers {
  getStatements(request: LrsRequest): Promise<LrsResponse>;
  putStatements(request: LrsRequest): Promise<LrsResponse>;
  postStatements(request: LrsRequest): Promise<LrsResponse>;
}

/** Answers a POST /xapi/statements?method=… (Communication 1.3) as the request it stands for. */
export async function answerAlternateRequest(
  handlers: StatementResourceHandlers,
  request: LrsRequest,
): Promise<{ method: AlternateMethod; response: LrsResponse }> {
  const alternate = fromAlternateSyntax(request);
  switch (alternate.method) {
    case 'GET':
      return { method: alternate.method, response: await handlers.getStatements(alternate.request) };
    case 'PUT':
      return { method: alternate.method, response: await handlers.putStatements(alternate.request) };
    case 'POST':
      return { method: alternate.method, response: await handlers.postStatements(alternate.request) };
    default:
      throw new BadRequestError(`${alternate.method} is not a method of the Statement Resource`);
  }
}
