/** A hard error in the reference data: the pipeline must not start on it. */
export interface ReferenceProblem {
  /** File name relative to the data directory, e.g. `learning-points.csv`. */
  readonly file: string;
  /** 1-based physical line, when the problem sits on one. */
  readonly line?: number;
  /** 1-based column number, when the problem sits in one cell. */
  readonly column?: number;
  /** Column name (CSV header) or JSON path. */
  readonly field?: string;
  /** Short rule name, e.g. `unique`, `reference`, `count`, `invalid_format`. */
  readonly rule: string;
  readonly message: string;
}

/** Something odd in the data that is reported, not fixed: the data is still usable. */
export interface Inconsistency {
  /** Stable code a test or a dashboard can select on, e.g. `budget.total-vs-rows`. */
  readonly code: string;
  readonly file: string;
  readonly line?: number;
  readonly message: string;
  /** The figure the source states. */
  readonly stated?: number;
  /** The figure computed from the source's own parts. */
  readonly computed?: number;
  /** stated − computed, rounded like the figures. */
  readonly difference?: number;
}

export function formatProblem(problem: ReferenceProblem): string {
  let where = problem.file;
  if (problem.line !== undefined) where += `:${problem.line}`;
  if (problem.column !== undefined) where += `:${problem.column}`;
  const field = problem.field !== undefined ? ` (${problem.field})` : '';
  return `${where}${field} [${problem.rule}] ${problem.message}`;
}

/** Thrown by the loader with every hard problem found, not just the first. */
export class ReferenceDataError extends Error {
  constructor(
    readonly dir: string,
    readonly problems: readonly ReferenceProblem[],
  ) {
    super(
      `Invalid reference data in ${dir} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'ReferenceDataError';
  }
}

/** Thrown by the strict lookups when an id is not in the reference data. */
export class UnknownReferenceError extends Error {
  constructor(
    readonly kind: 'town' | 'school' | 'learning point' | 'course',
    readonly id: string,
  ) {
    super(`Unknown ${kind} id: ${id}`);
    this.name = 'UnknownReferenceError';
  }
}
