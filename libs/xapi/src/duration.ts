// ISO 8601:2004 section 4.4.3.2 durations (the format Data 4.6 requires), e.g. PT4H35M59.14S, P3Y, P4W.
// The alternative format (P0003-01-29T04:35:59) is not allowed. Only the smallest given unit may carry a
// fraction; weeks cannot be combined with other units.

export interface DurationParts {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const NUM = '(\\d+(?:[.,]\\d+)?)';
const DURATION = new RegExp(
  `^P(?:${NUM}Y)?(?:${NUM}M)?(?:${NUM}D)?(?:T(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`,
);
const WEEKS = new RegExp(`^P${NUM}W$`);

export class InvalidDurationError extends Error {
  constructor(readonly value: string) {
    super(`not an ISO 8601 duration: ${JSON.stringify(value)}`);
    this.name = 'InvalidDurationError';
  }
}

function toNumber(group: string | undefined): number {
  return group === undefined ? 0 : Number(group.replace(',', '.'));
}

/** Parses an ISO 8601 duration; returns undefined when the string is not one. */
export function parseDuration(value: string): DurationParts | undefined {
  const weeks = WEEKS.exec(value);
  if (weeks !== null) {
    return { years: 0, months: 0, weeks: toNumber(weeks[1]), days: 0, hours: 0, minutes: 0, seconds: 0 };
  }
  const m = DURATION.exec(value);
  if (m === null) return undefined;
  const groups = m.slice(1, 7);
  const present = groups.filter((g) => g !== undefined);
  if (present.length === 0) return undefined; // "P" or "PT"
  if (value.endsWith('T')) return undefined; // "P1DT": T needs a time component
  // A fraction is allowed only on the last (smallest) component present.
  if (present.slice(0, -1).some((g) => /[.,]/.test(g as string))) return undefined;
  return {
    years: toNumber(groups[0]),
    months: toNumber(groups[1]),
    weeks: 0,
    days: toNumber(groups[2]),
    hours: toNumber(groups[3]),
    minutes: toNumber(groups[4]),
    seconds: toNumber(groups[5]),
  };
}

export function isIsoDuration(value: string): boolean {
  return parseDuration(value) !== undefined;
}

/** Calendar units have no fixed length; analytics uses these nominal lengths (documented in the README). */
export const NOMINAL_SECONDS = {
  year: 365 * 86_400,
  month: 30 * 86_400,
  week: 7 * 86_400,
  day: 86_400,
  hour: 3_600,
  minute: 60,
} as const;

/**
 * Converts an ISO 8601 duration to seconds. Years count as 365 days and months as 30 days; hours, minutes and
 * seconds are exact. Throws InvalidDurationError for anything that is not a Data 4.6 duration.
 */
export function durationToSeconds(value: string): number {
  const p = parseDuration(value);
  if (p === undefined) throw new InvalidDurationError(value);
  return (
    p.years * NOMINAL_SECONDS.year +
    p.months * NOMINAL_SECONDS.month +
    p.weeks * NOMINAL_SECONDS.week +
    p.days * NOMINAL_SECONDS.day +
    p.hours * NOMINAL_SECONDS.hour +
    p.minutes * NOMINAL_SECONDS.minute +
    p.seconds
  );
}

/**
 * Canonical form for Statement comparison: Data 4.6.s1.b5 says precision beyond 0.01 s is not compared, and
 * Data 2.3.1.b8 says a duration is otherwise compared as a string. So only the seconds fraction is truncated to two
 * digits (and trailing zeros dropped); the units are never converted.
 */
export function durationForComparison(value: string): string {
  return value.replace(/(\d+)[.,](\d+)S$/, (_all, whole: string, fraction: string) => {
    const kept = fraction.slice(0, 2).replace(/0+$/, '');
    return kept === '' ? `${whole}S` : `${whole}.${kept}S`;
  });
}
