/** One broken rule in a learner record: which field, which rule (stable id), a readable message. */
export interface LearnerIssue {
  /** Dotted path, e.g. `birthYear`, `identities[1]`, `homeLearningPointId`; `''` for the whole body. */
  readonly field: string;
  /** Stable rule id, e.g. `required`, `type`, `format`, `range`, `reference`, `same-town`, `unique`. */
  readonly rule: string;
  readonly message: string;
}

export function formatLearnerIssue(issue: LearnerIssue): string {
  return issue.field === ''
    ? `[${issue.rule}] ${issue.message}`
    : `${issue.field} [${issue.rule}] ${issue.message}`;
}

/** A learner record or PUT body that breaks one or more rules; every issue is listed, not just the first. */
export class LearnerValidationError extends Error {
  constructor(readonly issues: readonly LearnerIssue[]) {
    super(
      `invalid learner (${issues.length} issue${issues.length === 1 ? '' : 's'}): ` +
        issues.map(formatLearnerIssue).join('; '),
    );
    this.name = 'LearnerValidationError';
  }
}

/** The registry CSV as a whole cannot be read (bad quoting, missing columns); row problems are not thrown. */
export class LearnerCsvError extends Error {
  constructor(
    readonly line: number,
    readonly rule: string,
    readonly detail: string,
  ) {
    super(`learner CSV line ${line} [${rule}]: ${detail}`);
    this.name = 'LearnerCsvError';
  }
}

export const ENRICHMENT_ERROR_CODES = [
  /** An explicit or configured learning point id that the reference data does not know. */
  'unknown-learning-point',
  /** The statement names two different learning points. */
  'conflicting-learning-points',
  /** The learning-point extension holds something that is not a point id or point IRI. */
  'invalid-learning-point',
  /** The statement's timestamp cannot be read. */
  'invalid-timestamp',
  /** The learner's birth year does not fit the statement's time (born after the event, or implausibly old). */
  'implausible-age',
] as const;
export type EnrichmentErrorCode = (typeof ENRICHMENT_ERROR_CODES)[number];

/** Where the offending learning point came from. */
export type LearningPointOrigin = 'context-extension' | 'context-activity' | 'credential' | 'home';

/**
 * A statement that cannot be enriched without guessing. Permanent: retrying the same message gives the
 * same result, so the caller sends it to the dead-letter queue with `code` as the reason (and can replay
 * it after the reference data or the registry is fixed).
 */
export class EnrichmentError extends Error {
  readonly permanent = true;
  constructor(
    readonly code: EnrichmentErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
    this.name = 'EnrichmentError';
  }
}
