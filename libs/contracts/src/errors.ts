import type { z } from 'zod';

export interface ContractIssue {
  /** Dotted path of the offending field, `(root)` for the message itself. */
  readonly field: string;
  /** zod's issue code, e.g. `invalid_type`, `invalid_format`, `too_small`. */
  readonly rule: string;
  readonly message: string;
}

/** A message (or key, or header set) did not match its contract. Never retriable: the bytes will not change. */
export class ContractDecodeError extends Error {
  override readonly name = 'ContractDecodeError';

  constructor(
    readonly topic: string,
    readonly part: 'key' | 'value' | 'headers',
    readonly issues: readonly ContractIssue[],
    options?: { cause?: unknown },
  ) {
    super(
      `${topic} ${part} invalid: ${issues.map((i) => `${i.field}: ${i.rule} (${i.message})`).join('; ')}`,
      options,
    );
  }

  static fromZod(topic: string, part: 'key' | 'value' | 'headers', error: z.ZodError): ContractDecodeError {
    return new ContractDecodeError(
      topic,
      part,
      error.issues.map((issue) => ({
        field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
        rule: issue.code,
        message: issue.message,
      })),
      { cause: error },
    );
  }
}

/** A topic name that is not in the registry: a programming error, caught at start-up or in tests. */
export class UnknownTopicError extends Error {
  override readonly name = 'UnknownTopicError';

  constructor(readonly topic: string) {
    super(`topic ${topic} is not in the contracts registry`);
  }
}
