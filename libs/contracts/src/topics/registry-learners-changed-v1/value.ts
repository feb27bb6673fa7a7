import { z } from 'zod';
import { ageBandSchema, genderSchema } from '../xapi-statements-enriched-v1/value';

/**
 * Provisional: the learner registry's change feed, reserved here so the topic exists in the registry from
 * the start. The owner of the learner registry may widen it (a new field optional, anything else a v2).
 */
export const learnerChangedValueSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('upsert'),
    learnerId: z.string().min(1),
    changedAt: z.iso.datetime({ offset: true }),
    learner: z.object({
      ageBand: ageBandSchema,
      gender: genderSchema,
      homeTownId: z.string().min(1).optional(),
      homeLearningPointId: z.string().min(1).optional(),
    }),
  }),
  z.object({
    op: z.literal('delete'),
    learnerId: z.string().min(1),
    changedAt: z.iso.datetime({ offset: true }),
  }),
]);
export type LearnerChangedValue = z.infer<typeof learnerChangedValueSchema>;
