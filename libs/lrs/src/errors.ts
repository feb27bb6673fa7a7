import type { BatchValidationIssue } from '@app/xapi';

/** Why a request was refused, as the metrics label it (`xapi_statements_rejected_total{reason}`). */
export type RejectionReason =
  | 'bad-request'
  | 'invalid'
  | 'conflict'
  | 'unauthenticated'
  | 'forbidden'
  | 'too-large'
  | 'rate-limited'
  | 'unavailable'
  | 'not-found'
  | 'precondition-failed';

/**
 * A refusal the Statement API answers with a status and a JSON body `{ error, message, ...details }`.
 * Thrown by the LRS logic and turned into the response by the controllers; anything else is a 500.
 */
export class LrsHttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: RejectionReason,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LrsHttpError';
  }

  body(): Record<string, unknown> {
    return { error: this.reason, message: this.message, ...this.details };
  }
}

export class BadRequestError extends LrsHttpError {
  constructor(message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(400, 'bad-request', message, details);
    this.name = 'BadRequestError';
  }
}

/** 400 with every error of every bad statement of the batch (index, path, rule, message). */
export class StatementValidationFailedError extends LrsHttpError {
  constructor(readonly errors: readonly BatchValidationIssue[]) {
    const statements = new Set(errors.map((e) => e.index)).size;
    super(
      400,
      'invalid',
      `${statements} statement(s) of the request are invalid; the whole request was rejected and nothing was stored`,
      { errors },
    );
    this.name = 'StatementValidationFailedError';
  }
}

/** 409: a statement id is already stored (or accepted) with different content. */
export class StatementConflictError extends LrsHttpError {
  constructor(
    readonly statementId: string,
    readonly path: string,
  ) {
    super(
      409,
      'conflict',
      `statement ${statementId} already exists with different content (first difference at ${path || '(root)'}); nothing was stored`,
      { statementId, path },
    );
    this.name = 'StatementConflictError';
  }
}

export class UnauthenticatedError extends LrsHttpError {
  constructor(message: string) {
    super(401, 'unauthenticated', message, {}, { 'WWW-Authenticate': 'Basic realm="xAPI"' });
    this.name = 'UnauthenticatedError';
  }
}

export class ForbiddenError extends LrsHttpError {
  constructor(message: string) {
    super(403, 'forbidden', message);
    this.name = 'ForbiddenError';
  }
}

export class RateLimitedError extends LrsHttpError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      429,
      'rate-limited',
      `too many statements for this credential; retry after ${retryAfterSeconds} s`,
      { retryAfterSeconds },
      { 'Retry-After': String(retryAfterSeconds) },
    );
    this.name = 'RateLimitedError';
  }
}

/** 503: the bus did not acknowledge; nothing of the request is acknowledged, the client retries. */
export class StatementsNotDurableError extends LrsHttpError {
  constructor(cause: unknown) {
    super(
      503,
      'unavailable',
      'the statements could not be stored durably (message bus unavailable); nothing was stored, retry the same request',
      {},
      { 'Retry-After': '1' },
      { cause },
    );
    this.name = 'StatementsNotDurableError';
  }
}

/** The credentials file or a bootstrap credential is malformed (start-up error, not an HTTP answer). */
export class CredentialConfigError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(problems.length > 0 ? `${message}:\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
    this.name = 'CredentialConfigError';
  }
}

/** A stored statement returned by the lookup that is not a valid statement (data corruption, not the client's fault). */
export class StoredStatementUnreadableError extends Error {
  constructor(statementId: string, detail: string) {
    super(`stored statement ${statementId} cannot be read for comparison: ${detail}`);
    this.name = 'StoredStatementUnreadableError';
  }
}
