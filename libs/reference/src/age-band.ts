/**
 * Age bands for community-education learners. The elderly are a large share of learners, so
 * 60–69, 70–79 and 80+ are separate bands.
 */
export const AGE_BANDS = [
  { id: 'under-18', minAge: 0, maxAge: 17, labelZh: '18岁以下', labelEn: 'Under 18' },
  { id: '18-29', minAge: 18, maxAge: 29, labelZh: '18–29岁', labelEn: '18–29' },
  { id: '30-44', minAge: 30, maxAge: 44, labelZh: '30–44岁', labelEn: '30–44' },
  { id: '45-59', minAge: 45, maxAge: 59, labelZh: '45–59岁', labelEn: '45–59' },
  { id: '60-69', minAge: 60, maxAge: 69, labelZh: '60–69岁', labelEn: '60–69' },
  { id: '70-79', minAge: 70, maxAge: 79, labelZh: '70–79岁', labelEn: '70–79' },
  { id: '80+', minAge: 80, maxAge: null, labelZh: '80岁及以上', labelEn: '80 and over' },
] as const;

export type AgeBand = (typeof AGE_BANDS)[number]['id'];
export type AgeBandInfo = (typeof AGE_BANDS)[number];

/** Oldest age accepted before a birth year is treated as a data error. */
export const MAX_PLAUSIBLE_AGE = 130;

export class InvalidBirthYearError extends Error {
  constructor(
    readonly birthYear: number,
    readonly atYear: number,
    reason: string,
  ) {
    super(`Invalid birth year ${birthYear} at ${atYear}: ${reason}`);
    this.name = 'InvalidBirthYearError';
  }
}

const CHINA_STANDARD_TIME_MS = 8 * 60 * 60 * 1000;

/** Calendar year of an instant in China Standard Time (UTC+8, no daylight saving). */
export function chinaYear(at: Date): number {
  return new Date(at.getTime() + CHINA_STANDARD_TIME_MS).getUTCFullYear();
}

/**
 * Age band from a birth year at an instant. The registry holds only the birth year, so age is the
 * age reached during `at`'s calendar year in China (year − birth year); a learner is counted in the
 * older band from 1 January. Throws InvalidBirthYearError for a non-integer, future or implausibly
 * old birth year.
 */
export function ageBand(birthYear: number, at: Date = new Date()): AgeBand {
  const atYear = chinaYear(at);
  if (Number.isNaN(atYear))
    throw new InvalidBirthYearError(birthYear, atYear, 'the reference date is invalid');
  if (!Number.isInteger(birthYear)) throw new InvalidBirthYearError(birthYear, atYear, 'not a whole year');
  const age = atYear - birthYear;
  if (age < 0) throw new InvalidBirthYearError(birthYear, atYear, 'in the future');
  if (age > MAX_PLAUSIBLE_AGE) {
    throw new InvalidBirthYearError(birthYear, atYear, `older than ${MAX_PLAUSIBLE_AGE}`);
  }
  for (const band of AGE_BANDS) {
    if (band.maxAge === null || age <= band.maxAge) return band.id;
  }
  // Unreachable: the last band is open-ended.
  throw new InvalidBirthYearError(birthYear, atYear, 'no band');
}

export function ageBandInfo(id: AgeBand): AgeBandInfo {
  const band = AGE_BANDS.find((b) => b.id === id);
  if (band === undefined) throw new Error(`unknown age band ${id}`);
  return band;
}
