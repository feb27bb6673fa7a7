import { AGE_BANDS, REGIONS, VERB_CATEGORIES, type AgeBand } from '@app/reference';
import { z } from 'zod';
import { GENDERS } from './learner.schema';

/** Reserved learning-point id of statements no rule could place. */
export const UNATTRIBUTED = 'unattributed';

const ageBandIds = AGE_BANDS.map((band) => band.id) as [AgeBand, ...AgeBand[]];
export type EnrichmentAgeBand = AgeBand | 'unknown';
export const ENRICHMENT_AGE_BANDS = [...ageBandIds, 'unknown'] as [EnrichmentAgeBand, ...EnrichmentAgeBand[]];

export const ENRICHMENT_REGIONS = [...REGIONS, 'unknown'] as const;
export type EnrichmentRegion = (typeof ENRICHMENT_REGIONS)[number];

/**
 * How the learning point was found, in precedence order: the statement's own context, the point the
 * posting credential is bound to (a classroom or kiosk), the learner's home point, else none.
 */
export const ATTRIBUTIONS = ['context', 'credential', 'home', 'unattributed'] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

const id = z.string().min(1);

/** What the enricher adds to a statement: place, demographics, skill and verb category. */
export const EnrichmentSchema = z.strictObject({
  /** Pseudonymous registry id; null for a learner the registry does not know. */
  learnerId: id.nullable(),
  learnerKnown: z.boolean(),
  /** A reference learning point id, or `unattributed`. */
  learningPointId: id,
  /** Null exactly when the statement is unattributed. */
  schoolId: id.nullable(),
  townId: id.nullable(),
  region: z.enum(ENRICHMENT_REGIONS),
  /** At the statement's time (its timestamp), `unknown` for an unknown learner. */
  ageBand: z.enum(ENRICHMENT_AGE_BANDS),
  gender: z.enum(GENDERS),
  /** The learner's home town (a demographic, unlike townId which is where the learning happened). */
  homeTownId: id.nullable(),
  skillId: id.nullable(),
  verbCategory: z.enum(VERB_CATEGORIES),
  attribution: z.enum(ATTRIBUTIONS),
});
export type Enrichment = z.output<typeof EnrichmentSchema>;
