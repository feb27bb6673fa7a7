import { z } from 'zod';
import { AGE_BANDS } from '@app/reference';
import { receivedStatementValueSchema } from '../xapi-statements-received-v1/value';

/** The registry's age bands (60-69, 70-79 and 80+ kept apart for elderly learners), plus `unknown`. */
export const ageBands = [...AGE_BANDS.map((band) => band.id), 'unknown'] as const;
export const ageBandSchema = z.enum(ageBands);
export type AgeBand = z.infer<typeof ageBandSchema>;

export const genders = ['female', 'male', 'other', 'unknown'] as const;
export const genderSchema = z.enum(genders);
export type Gender = z.infer<typeof genderSchema>;

export const regions = ['east', 'west'] as const;
export const regionSchema = z.enum(regions);
export type Region = z.infer<typeof regionSchema>;

/** How the learning point was found: explicit statement context, the credential's point, the learner's home point. */
export const attributions = ['context', 'credential', 'home', 'unattributed'] as const;
export const attributionSchema = z.enum(attributions);
export type Attribution = z.infer<typeof attributionSchema>;

/** Verb categories are reference data (editable files), so the contract only fixes their shape: a slug. */
export const verbCategorySchema = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a lower-case slug');

export const enrichmentSchema = z.object({
  learnerId: z.string().min(1).optional(),
  learnerKnown: z.boolean(),
  /** `unattributed` when no rule found a point; the id is then the reserved unattributed point. */
  learningPointId: z.string().min(1),
  schoolId: z.string().min(1).optional(),
  townId: z.string().min(1).optional(),
  region: regionSchema.optional(),
  ageBand: ageBandSchema,
  gender: genderSchema,
  skillId: z.string().min(1).optional(),
  verbCategory: verbCategorySchema,
  attribution: attributionSchema,
});
export type Enrichment = z.infer<typeof enrichmentSchema>;

export const enrichedStatementValueSchema = receivedStatementValueSchema.extend({
  enrichment: enrichmentSchema,
});
export type EnrichedStatementValue = z.infer<typeof enrichedStatementValueSchema>;
