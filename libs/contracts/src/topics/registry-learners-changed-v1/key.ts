import { z } from 'zod';

/** The pseudonymous learner id, so all changes of one learner stay ordered (and the topic can be compacted). */
export const learnerChangedKeySchema = z.string().min(1).max(256);
export type LearnerChangedKey = z.infer<typeof learnerChangedKeySchema>;
