import { learnerChangeKeySchema, type LearnerChangeKey } from '@app/enrichment';

/** The pseudonymous learner id, so all changes of one learner stay ordered (and the topic can be compacted). */
export const learnerChangedKeySchema = learnerChangeKeySchema;
export type LearnerChangedKey = LearnerChangeKey;
