/** One broken rule of a research request; `field` names the query parameter or body field. */
export interface ResearchIssue {
  readonly field: string;
  readonly message: string;
}

/** A request the research API refuses (400), with every issue found. */
export class ResearchRequestError extends Error {
  /** The short reason without the issues, for the 400 body's `error`. */
  readonly title: string;

  constructor(
    message: string,
    readonly issues: readonly ResearchIssue[] = [],
  ) {
    super(
      issues.length === 0
        ? message
        : `${message}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
    );
    this.name = 'ResearchRequestError';
    this.title = message;
  }
}

/** The study or extract does not exist (404). */
export class ResearchNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResearchNotFoundError';
  }
}

/** The data cannot be cut consistently yet (no watermark), or the store refused (503). */
export class ResearchUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResearchUnavailableError';
  }
}

/** Bad research credentials configuration (at start-up). */
export class ResearchConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResearchConfigError';
  }
}
