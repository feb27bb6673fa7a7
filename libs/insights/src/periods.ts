import { ResearchRequestError } from './errors';

/**
 * Time periods of the research API, on one nested calendar grid: day ⊂ week ⊂ month. Weeks are
 * month-aligned (days 1-7, 8-14, 15-21, 22-28 and 29 to the month's end), not ISO weeks: an ISO week
 * straddles two months, and then a month total minus weekly totals could isolate single days. With a
 * nested grid every period has exactly one parent, so suppression can be made consistent across
 * granularities (see suppression.ts). Days are the district's local days (Asia/Shanghai), as in the
 * aggregates.
 */
export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];

/** The coarser periods a period's cells are checked against, coarsest first, ending with the period itself. */
export function periodChain(period: Period): Period[] {
  return period === 'month' ? ['month'] : period === 'week' ? ['month', 'week'] : ['month', 'week', 'day'];
}

export function parentPeriod(period: Period): Period | undefined {
  return period === 'day' ? 'week' : period === 'week' ? 'month' : undefined;
}

/** SQL: the first day of the `period` containing the Date expression `day`. */
export function periodStartSql(period: Period, day: string): string {
  if (period === 'day') return day;
  if (period === 'month') return `toStartOfMonth(${day})`;
  return `toStartOfMonth(${day}) + toIntervalDay(7 * intDiv(toDayOfMonth(${day}) - 1, 7))`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses YYYY-MM-DD as a calendar date (UTC midnight); throws for impossible dates. */
export function parseDay(value: string, field: string): Date {
  const match = DATE.exec(value);
  const date = match
    ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
    : undefined;
  if (!date || date.toISOString().slice(0, 10) !== value)
    throw new ResearchRequestError('invalid date', [
      { field, message: `${JSON.stringify(value)} is not a date YYYY-MM-DD` },
    ]);
  return date;
}

export function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

function monthStart(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

function monthEnd(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0));
}

/** First day of the period containing `date`. */
export function periodStart(period: Period, date: Date): Date {
  if (period === 'day') return date;
  if (period === 'month') return monthStart(date);
  return addDays(monthStart(date), 7 * Math.floor((date.getUTCDate() - 1) / 7));
}

/** Last day of the period containing `date`. */
export function periodEnd(period: Period, date: Date): Date {
  if (period === 'day') return date;
  const end = monthEnd(date);
  if (period === 'month') return end;
  const start = periodStart('week', date);
  const weekEnd = addDays(start, 6);
  return start.getUTCDate() >= 29 || weekEnd > end ? end : weekEnd;
}

/** Last day of the period that starts on `start` (a YYYY-MM-DD period key). */
export function periodEndOfKey(period: Period, start: string): string {
  return formatDay(periodEnd(period, parseDay(start, 'period')));
}

/** The parent period's key (its first day) of a period key. */
export function parentKey(period: Period, start: string): string {
  const parent = parentPeriod(period);
  if (!parent) throw new Error(`${period} has no parent period`);
  return formatDay(periodStart(parent, parseDay(start, 'period')));
}

export interface SnappedRange {
  /** The requested days, widened to whole periods: what the cells cover. */
  readonly from: string;
  readonly to: string;
  /** Whole months around them: what suppression looks at (every sibling of every returned period). */
  readonly contextFrom: string;
  readonly contextTo: string;
}

/**
 * Widens [from, to] to whole periods. Every cell of a response is a whole period of the fixed grid, so two
 * queries whose ranges differ by a day return the same cells for the periods they share; a partial period
 * (the difference attack's "one extra day") cannot be asked for.
 */
export function snapRange(period: Period, from: string, to: string, maxDays = 3 * 366): SnappedRange {
  const start = parseDay(from, 'from');
  const end = parseDay(to, 'to');
  if (end < start)
    throw new ResearchRequestError('reversed time range', [
      { field: 'to', message: `to (${to}) is before from (${from})` },
    ]);
  const days = Math.round((end.getTime() - start.getTime()) / 86_400_000) + 1;
  if (days > maxDays)
    throw new ResearchRequestError('time range too long', [
      { field: 'to', message: `the range spans ${days} days; at most ${maxDays} are allowed` },
    ]);
  return {
    from: formatDay(periodStart(period, start)),
    to: formatDay(periodEnd(period, end)),
    contextFrom: formatDay(monthStart(start)),
    contextTo: formatDay(monthEnd(end)),
  };
}

/** The keys (first days) of every period from `from` to `to` (both period starts or inside periods). */
export function periodsIn(period: Period, from: string, to: string): string[] {
  const keys: string[] = [];
  const end = parseDay(to, 'to');
  for (
    let day = periodStart(period, parseDay(from, 'from'));
    day <= end;
    day = addDays(periodEnd(period, day), 1)
  )
    keys.push(formatDay(day));
  return keys;
}

/**
 * The last local day (Asia/Shanghai) that is closed at `cut`: its end lies `closeAfterDays` whole days or
 * more before the cut. Only periods ending by then are published (see README: closed periods).
 */
export function closedThroughAt(cut: string, closeAfterDays: number): string {
  const local = new Date(Date.parse(cut) + 8 * 3_600_000);
  const today = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()));
  return formatDay(addDays(today, -(closeAfterDays + 1)));
}
