import { isIsoTimestamp } from './formats';

export class InvalidTimestampError extends Error {
  constructor(readonly value: string) {
    super(`not an ISO 8601 timestamp with a time zone: ${JSON.stringify(value)}`);
    this.name = 'InvalidTimestampError';
  }
}

const PARTS =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|([+-])(\d{2})(?::?(\d{2}))?)$/;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * Rewrites a timestamp in UTC without losing precision: `2024-05-11T09:42:17.123456+08:00` becomes
 * `2024-05-11T01:42:17.123456Z`. Fractions are kept digit for digit (trailing zeros dropped, at least
 * milliseconds shown), since Date would cut them to milliseconds. Throws InvalidTimestampError.
 */
export function toUtcTimestamp(value: string): string {
  const m = PARTS.exec(value);
  if (m === null || !isIsoTimestamp(value.replace(/[tz]/g, (c) => c.toUpperCase()))) {
    throw new InvalidTimestampError(value);
  }
  const sign = m[9] === '-' ? -1 : 1;
  const offsetMinutes = m[9] === undefined ? 0 : sign * (Number(m[10]) * 60 + Number(m[11] ?? '0'));
  const second = Number(m[6] ?? '0');
  // Date.UTC folds a leap second (:60) into the next minute, which is the same instant for comparison purposes.
  const epochMs =
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), second) -
    offsetMinutes * 60_000;
  const d = new Date(epochMs);
  const fraction = (m[7] ?? '').replace(/0+$/, '').padEnd(3, '0');
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${fraction}Z`
  );
}
