import { chinaYear, MAX_PLAUSIBLE_AGE, type ReferenceIndex } from '@app/reference';
import { z } from 'zod';
import { ACTOR_KEY_EXAMPLES, actorKeyProblem, canonicalActorKey } from './actor-key';
import { LearnerValidationError, type LearnerIssue } from './errors';

/**
 * homePage of the xAPI account that IS a registry learner id (`{ homePage, name: 'L000123' }`): classroom
 * attendance sheets name learners this way, and the directory resolves it without listing it as an identity.
 */
export const REGISTRY_LEARNER_HOME_PAGE = 'https://learn.jlp.cq.cn/learners';

/**
 * The learner registry's model. A learner is known to analytics only by a pseudonymous id of our own;
 * the xAPI identities (e-mail, portal account, …) stay in the registry and its change feed, and the
 * analytics keep only the age band, gender and home town.
 */

/** Our own opaque learner id: `L` + 1–20 digits, or a UUID (stored lowercase). */
export const LEARNER_ID_PATTERN =
  /^(?:L\d{1,20}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const UUID_ANY_CASE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const learnerIdSchema = z
  .string()
  .trim()
  .transform((value) => (UUID_ANY_CASE.test(value) ? value.toLowerCase() : value))
  .pipe(z.string().regex(LEARNER_ID_PATTERN, 'must be a learner id such as L000123 or a UUID'));

export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];
export const genderSchema = z.enum(GENDERS, { error: `must be one of ${GENDERS.join(', ')}` });

/** Earliest birth year accepted, so that nobody is older than the reference data's plausible age today. */
export function birthYearBounds(now: Date = new Date()): { readonly min: number; readonly max: number } {
  const year = chinaYear(now);
  return { min: year - MAX_PLAUSIBLE_AGE, max: year };
}

export const birthYearSchema = z
  .number({ error: 'must be a whole year such as 1956' })
  .int('must be a whole year such as 1956')
  .superRefine((year, ctx) => {
    const { min, max } = birthYearBounds();
    if (year < min || year > max) {
      ctx.addIssue({
        code: 'custom',
        params: { rule: 'range' },
        message: `must be a plausible birth year between ${min} and ${max}, got ${year}`,
      });
    }
  });

export const actorKeySchema = z
  .string({ error: `must be an actor key such as ${ACTOR_KEY_EXAMPLES}` })
  .trim()
  .superRefine((raw, ctx) => {
    const problem = actorKeyProblem(raw);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', params: { rule: 'actor-key' }, message: `${problem}, got "${raw}"` });
    }
  })
  .transform(canonicalActorKey);

export const MAX_IDENTITIES = 32;

export const identitiesSchema = z
  .array(actorKeySchema, { error: 'must be a list of actor keys' })
  .min(1, 'must hold at least one actor key')
  .max(MAX_IDENTITIES, `must hold at most ${MAX_IDENTITIES} actor keys`)
  .superRefine((keys, ctx) => {
    const seen = new Map<string, number>();
    keys.forEach((key, index) => {
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [index],
          params: { rule: 'unique' },
          message: `"${key}" is listed twice (also at identities[${first}])`,
        });
      } else seen.set(key, index);
    });
  });

const TOWN_ID = /^T\d{2}$/;
const POINT_ID = /^LP\d{3}$/;
export const townIdSchema = z
  .string({ error: 'must be a town id such as T01' })
  .regex(TOWN_ID, 'must be a town id such as T01');
export const learningPointIdSchema = z
  .string({ error: 'must be a learning point id such as LP001' })
  .regex(POINT_ID, 'must be a learning point id such as LP001');

export const learnerVersionSchema = z
  .number({ error: 'must be a positive whole number' })
  .int('must be a positive whole number')
  .positive('must be a positive whole number')
  .max(Number.MAX_SAFE_INTEGER, 'must be a safe integer');

const learnerFields = {
  /** Canonical actor keys (see actor-key.ts); at least one; each may belong to one learner only. */
  identities: identitiesSchema,
  /** Only the birth year is held; the analytics derive the age band at each event's time. */
  birthYear: birthYearSchema,
  gender: genderSchema,
  homeTownId: townIdSchema,
  /** Null when the learner has no home learning point; when set it must lie in the home town. */
  homeLearningPointId: learningPointIdSchema.nullable(),
};

/**
 * A registry entry. `version` increases with every write; consumers keep the highest (last writer wins).
 * Unknown keys are stripped, not refused, so that a field added later (optional, per the contract rules)
 * does not break consumers of the change feed that do not know it yet.
 */
export const learnerRecordSchema = z.object({
  id: learnerIdSchema,
  ...learnerFields,
  updatedAt: z.iso.datetime({
    offset: true,
    error: 'must be an ISO 8601 date-time such as 2026-01-31T08:00:00Z',
  }),
  version: learnerVersionSchema,
});
export type LearnerRecord = z.output<typeof learnerRecordSchema>;

/**
 * Body of `PUT /registry/learners/{id}`: everything but the id (from the path) and the registry's own
 * `version` and `updatedAt`. Strict: sending those fields is an error, not silently ignored.
 * `homeLearningPointId` may be omitted (= null).
 */
export const learnerPutBodySchema = z.strictObject({
  ...learnerFields,
  homeLearningPointId: learnerFields.homeLearningPointId.optional().transform((value) => value ?? null),
});
export type LearnerPutBody = z.output<typeof learnerPutBodySchema>;
export type LearnerPutBodyInput = z.input<typeof learnerPutBodySchema>;

/** A learner before the registry stamps `version` and `updatedAt` (e.g. a CSV import row). */
export type LearnerDraft = LearnerPutBody & { readonly id: string };

/** PIPL erasure: the learner is gone; only the id and version stay, so that older upserts stay ignored. */
export const learnerTombstoneSchema = z.object({
  id: learnerIdSchema,
  deleted: z.literal(true),
  version: learnerVersionSchema,
  deletedAt: z.iso.datetime({ offset: true }).optional(),
});
export type LearnerTombstone = z.output<typeof learnerTombstoneSchema>;

/** What a LearnerDirectory applies: a full record or a tombstone. */
export type LearnerChange = LearnerRecord | LearnerTombstone;

export function isTombstone(change: LearnerChange): change is LearnerTombstone {
  return 'deleted' in change && change.deleted === true;
}

/**
 * Change feed `registry.learners.changed.v1` (the topic name itself lives in @app/contracts):
 * key = learner id, value = the full record after the write, or a tombstone after an erasure.
 * Full records (not diffs) make the topic compactable and every consumer rebuildable from it.
 */
export const learnerChangeKeySchema = learnerIdSchema;
// Tombstone first: a tombstone that also carries record fields must stay a tombstone.
export const learnerChangeValueSchema = z.union([learnerTombstoneSchema, learnerRecordSchema]);
export type LearnerChangeKey = z.output<typeof learnerChangeKeySchema>;
export type LearnerChangeValue = z.output<typeof learnerChangeValueSchema>;

// ---- validation with precise issues, including the reference data -------------------------------

/** Zod issues as LearnerIssues; `input` is what was parsed, to tell a missing field from a wrong one. */
export function toLearnerIssues(error: z.ZodError, input: unknown): LearnerIssue[] {
  const issues: LearnerIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({
          field: joinPath([...issue.path, key]),
          rule: 'unknown-field',
          message: 'is not allowed here',
        });
      }
      continue;
    }
    const missing = valueAt(input, issue.path) === undefined;
    issues.push({
      field: joinPath(issue.path),
      rule: missing ? 'required' : ruleOf(issue),
      message: missing ? 'is required' : issue.message,
    });
  }
  return issues;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function ruleOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      // A number that is not whole is the wrong form of the right type.
      return issue.expected === 'int' ? 'format' : 'type';
    case 'too_small':
    case 'too_big':
      return 'range';
    case 'invalid_format':
      return 'format';
    case 'invalid_value':
      return 'value';
    case 'custom': {
      const rule = issue.params?.rule;
      return typeof rule === 'string' ? rule : 'custom';
    }
    default:
      return issue.code;
  }
}

function joinPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * Reference checks: the home town and home point exist and the point lies in the town. Only looks at
 * values that have the right shape, so a malformed id is reported once (by the schema), not twice.
 */
export function learnerReferenceIssues(input: unknown, reference: ReferenceIndex): LearnerIssue[] {
  if (typeof input !== 'object' || input === null) return [];
  const { homeTownId, homeLearningPointId } = input as Record<string, unknown>;
  const issues: LearnerIssue[] = [];
  const town =
    typeof homeTownId === 'string' && TOWN_ID.test(homeTownId) ? reference.findTown(homeTownId) : undefined;
  if (typeof homeTownId === 'string' && TOWN_ID.test(homeTownId) && town === undefined) {
    issues.push({ field: 'homeTownId', rule: 'reference', message: `unknown town "${homeTownId}"` });
  }
  if (typeof homeLearningPointId === 'string' && POINT_ID.test(homeLearningPointId)) {
    const point = reference.findLearningPoint(homeLearningPointId);
    if (point === undefined) {
      issues.push({
        field: 'homeLearningPointId',
        rule: 'reference',
        message: `unknown learning point "${homeLearningPointId}"`,
      });
    } else if (town !== undefined && point.townId !== town.id) {
      issues.push({
        field: 'homeLearningPointId',
        rule: 'same-town',
        message: `learning point "${point.id}" lies in town ${point.townId}, not in the home town ${town.id}`,
      });
    }
  }
  return issues;
}

export type LearnerValidation<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly LearnerIssue[] };

function validateWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  reference: ReferenceIndex,
): LearnerValidation<z.output<S>> {
  const result = schema.safeParse(input);
  const issues = [
    ...(result.success ? [] : toLearnerIssues(result.error, input)),
    ...learnerReferenceIssues(input, reference),
  ];
  if (issues.length > 0 || !result.success) return { ok: false, issues };
  return { ok: true, value: result.data };
}

export function validateLearnerPutBody(
  body: unknown,
  reference: ReferenceIndex,
): LearnerValidation<LearnerPutBody> {
  return validateWith(learnerPutBodySchema, body, reference);
}

export function validateLearnerRecord(
  value: unknown,
  reference: ReferenceIndex,
): LearnerValidation<LearnerRecord> {
  return validateWith(learnerRecordSchema, value, reference);
}

/** Parses a PUT body; throws LearnerValidationError listing every issue (field + rule). */
export function parseLearnerPutBody(body: unknown, reference: ReferenceIndex): LearnerPutBody {
  const result = validateLearnerPutBody(body, reference);
  if (!result.ok) throw new LearnerValidationError(result.issues);
  return result.value;
}

/** Parses a full record (e.g. from storage or the change feed) against the reference data. */
export function parseLearnerRecord(value: unknown, reference: ReferenceIndex): LearnerRecord {
  const result = validateLearnerRecord(value, reference);
  if (!result.ok) throw new LearnerValidationError(result.issues);
  return result.value;
}

/** Turns a draft into a record once the registry has chosen its version and write time. */
export function stampLearner(draft: LearnerDraft, version: number, updatedAt: Date | string): LearnerRecord {
  if (!learnerVersionSchema.safeParse(version).success) {
    throw new RangeError(`learner version must be a positive safe integer, got ${version}`);
  }
  return {
    id: draft.id,
    identities: draft.identities,
    birthYear: draft.birthYear,
    gender: draft.gender,
    homeTownId: draft.homeTownId,
    homeLearningPointId: draft.homeLearningPointId,
    updatedAt: typeof updatedAt === 'string' ? updatedAt : updatedAt.toISOString(),
    version,
  };
}
