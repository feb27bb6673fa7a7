/** The result model shared by every part of `npm run bench`: figures with their runs, spread and target. */

export interface Target {
  /** `min`: the figure must be at least `value`; `max`: at most. */
  readonly kind: 'min' | 'max';
  readonly value: number;
  /** What the issue asks, in words (shown beside the figure). */
  readonly label: string;
}

export interface TargetCheck extends Target {
  readonly pass: boolean;
  /** figure / target for `min` targets, target / figure for `max` targets: above 1 means met with room. */
  readonly ratio: number;
}

export interface Figure {
  readonly name: string;
  readonly unit: string;
  /** Every measured run (after the warm-up), in order. */
  readonly runs: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly target?: TargetCheck;
  readonly note?: string;
}

export type PartStatus = 'ok' | 'not available' | 'failed';

export interface PartResult {
  readonly name: string;
  readonly status: PartStatus;
  /** Why a part is not available or failed; what a part measured, otherwise. */
  readonly detail?: string;
  readonly figures: readonly Figure[];
  readonly seconds: number;
  /** Details beyond the figures (e.g. every dashboard panel's timings), kept in the JSON only. */
  readonly data?: unknown;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile (q in 0..1) of unsorted values. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function checkTarget(value: number, target: Target): TargetCheck {
  const pass = target.kind === 'min' ? value >= target.value : value <= target.value;
  const ratio = target.kind === 'min' ? value / target.value : value === 0 ? Infinity : target.value / value;
  return { ...target, pass, ratio };
}

export function figure(
  name: string,
  unit: string,
  runs: readonly number[],
  options: { target?: Target; note?: string } = {},
): Figure {
  const value = median(runs);
  return {
    name,
    unit,
    runs,
    median: value,
    min: Math.min(...runs),
    max: Math.max(...runs),
    ...(options.target ? { target: checkTarget(value, options.target) } : {}),
    ...(options.note ? { note: options.note } : {}),
  };
}

/** Figures for a human: 3 significant digits below 100, whole numbers with separators above. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(3)).toString();
}
