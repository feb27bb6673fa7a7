import { z } from 'zod';

/**
 * Row schemas for the reference files. Keys are the CSV column names; every cell arrives as a
 * trimmed string, and each field schema says in its message what a clerk should have typed.
 */

const required = (what = 'a value') => z.string().min(1, `must not be empty; expected ${what}`);
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value === '' ? null : value));

const id = (pattern: RegExp, example: string) => z.string().regex(pattern, `must be an id like ${example}`);

export const TOWN_ID = /^T\d{2}$/;
export const SCHOOL_ID = /^S\d{2}$/;
export const POINT_ID = /^LP\d{3}$/;
const SLUG = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

export const wholeNumber = z
  .string()
  .regex(/^\d+$/, 'must be a whole number such as 20 (digits only, no separators)')
  .transform(Number);

/** Non-negative decimal with at most two places, as the funding table prints money. */
export const amount = z
  .string()
  .regex(/^\d+(?:\.\d{1,2})?$/, 'must be a number with at most two decimals, such as 76.29')
  .transform(Number);

/** An empty cell stays null: in the source an empty cell and 0.00 are not the same. */
export const optionalAmount = z
  .string()
  .optional()
  .refine((value) => value === undefined || value === '' || /^\d+(?:\.\d{1,2})?$/.test(value), {
    message: 'must be empty or a number with at most two decimals, such as 3.14',
  })
  .transform((value) => (value === undefined || value === '' ? null : Number(value)));

const optionalDecimal = z
  .string()
  .optional()
  .refine((value) => value === undefined || value === '' || /^\d+(?:\.\d+)?$/.test(value), {
    message: 'must be empty or a decimal number such as 12.5',
  })
  .transform((value) => (value === undefined || value === '' ? null : Number(value)));

const FLAG_VALUES: Readonly<Record<string, boolean>> = {
  yes: true,
  no: false,
  是: true,
  否: false,
  '': false,
};
const flag = z
  .string()
  .refine((value) => value.toLowerCase() in FLAG_VALUES, { message: 'must be yes or no (是/否; empty = no)' })
  .transform((value) => FLAG_VALUES[value.toLowerCase()]);

const iri = z.url({ error: 'must be an absolute IRI such as https://learn.jlp.cq.cn/xapi/activities/…' });

export const REGIONS = ['east', 'west'] as const;
export const TOWN_KINDS = ['镇', '街道'] as const;
export const POPULATION_STATUSES = ['illustrative', 'estimate', 'census'] as const;
export const VERB_CATEGORIES = [
  'attended',
  'launched',
  'experienced',
  'completed',
  'passed',
  'failed',
  'answered',
  'other',
] as const;

export const townRow = z.object({
  id: id(TOWN_ID, 'T01'),
  seq: wholeNumber,
  name: required('the town name as the 2015 table writes it'),
  display_name: optionalText,
  name_en: required('an English name'),
  region: z.enum(REGIONS, { error: 'must be east or west' }),
  kind: z.enum(TOWN_KINDS, { error: 'must be 镇 or 街道' }),
  note: optionalText,
});

export const populationRow = z.object({
  town_id: id(TOWN_ID, 'T01'),
  town_name: optionalText,
  population: wholeNumber,
  area_km2: optionalDecimal,
  status: z.enum(POPULATION_STATUSES, { error: 'must be illustrative, estimate or census' }),
  source: optionalText,
});

export const schoolRow = z.object({
  id: id(SCHOOL_ID, 'S01'),
  name: required('the school name'),
  town_id: id(TOWN_ID, 'T01'),
  digital_classroom_computers: wholeNumber,
  note: optionalText,
});

export const learningPointRow = z.object({
  id: id(POINT_ID, 'LP001'),
  name: required('the learning point name'),
  town_id: id(TOWN_ID, 'T01'),
  school_id: id(SCHOOL_ID, 'S01'),
  demonstration: flag,
  experimental_base: flag,
  smart_community_pilot: flag,
  computers: wholeNumber,
  note: optionalText,
});

export const budgetCategoryRow = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a column id in lower case, such as employment'),
  order: wholeNumber,
  name_zh: required('the Chinese heading'),
  name_en: required('an English heading'),
});

/** The budget table's item columns come from the categories file, so its schema is built at load time. */
export function budgetRow(categoryIds: readonly string[]) {
  const items: Record<string, typeof optionalAmount> = {};
  for (const categoryId of categoryIds) items[categoryId] = optionalAmount;
  return z.object({
    seq: z
      .string()
      .regex(/^\d*$/, 'must be a whole number (empty on the TOTAL row)')
      .transform((value) => (value === '' ? null : Number(value))),
    town_id: z.string().regex(/^(?:T\d{2}|TOTAL)$/, 'must be a town id like T01, or TOTAL for the 合计 row'),
    town_name: required('the town name as printed'),
    year: wholeNumber,
    stated_total: amount,
    ...items,
  });
}

export const courseRow = z.object({
  id: z.string().regex(SLUG, 'must be a lower-case slug such as computer-basics'),
  name_zh: required('the Chinese course name'),
  name_en: required('an English course name'),
  activity_iri: iri,
  note: optionalText,
});

export const skillRow = z.object({
  id: z.string().regex(SLUG, 'must be a lower-case slug such as chinese-input'),
  course_id: z.string().regex(SLUG, 'must be a course id from courses.csv'),
  order: wholeNumber,
  name_zh: required('the Chinese skill name'),
  name_en: required('an English skill name'),
  activity_iri: iri,
  also_iris: z
    .string()
    .optional()
    .transform((value) => (value ?? '').split(/\s+/).filter((part) => part !== ''))
    .pipe(z.array(iri)),
});

export const verbCategoryRow = z.object({
  verb_iri: iri,
  category: z.enum(VERB_CATEGORIES, { error: `must be one of ${VERB_CATEGORIES.join(', ')}` }),
  display_zh: required('a Chinese label'),
  display_en: required('an English label'),
});

const count = z.number().int().nonnegative();

export const districtFile = z.object({
  nameZh: z.string().min(1),
  nameEn: z.string().min(1),
  collegeZh: z.string().min(1),
  collegeEn: z.string().min(1),
  areaKm2: z.number().positive(),
  population: z.number().int().positive(),
  source: z.string().min(1),
  expectations: z.object({
    towns: count,
    schoolsPerTown: count,
    learningPoints: count,
    demonstrationPoints: count,
    experimentalBasesPerRegion: z.object({ east: count, west: count }),
    smartCommunityPilots: count,
    minDigitalClassroomComputers: count,
    populationTolerance: z.number().min(0).max(1),
  }),
});
