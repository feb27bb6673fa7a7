import { learnerChangeValueSchema, type LearnerChangeValue } from '@app/enrichment';

/**
 * The learner registry's change feed: the whole record (last writer wins by version) or a tombstone for
 * an erased learner (PIPL). Defined by the registry's own library, @app/enrichment.
 */
export const learnerChangedValueSchema = learnerChangeValueSchema;
export type LearnerChangedValue = LearnerChangeValue;
