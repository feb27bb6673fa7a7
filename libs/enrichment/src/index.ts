export { ACTOR_KEY_EXAMPLES, actorKeyProblem, canonicalActorKey } from './actor-key';
export {
  ENRICHMENT_ERROR_CODES,
  EnrichmentError,
  LearnerCsvError,
  LearnerValidationError,
  formatLearnerIssue,
} from './errors';
export type { EnrichmentErrorCode, LearnerIssue, LearningPointOrigin } from './errors';
export {
  GENDERS,
  LEARNER_ID_PATTERN,
  MAX_IDENTITIES,
  REGISTRY_LEARNER_HOME_PAGE,
  actorKeySchema,
  birthYearBounds,
  birthYearSchema,
  genderSchema,
  identitiesSchema,
  isTombstone,
  learnerChangeKeySchema,
  learnerChangeValueSchema,
  learnerIdSchema,
  learnerPutBodySchema,
  learnerRecordSchema,
  learnerReferenceIssues,
  learnerTombstoneSchema,
  learnerVersionSchema,
  learningPointIdSchema,
  parseLearnerPutBody,
  parseLearnerRecord,
  stampLearner,
  toLearnerIssues,
  townIdSchema,
  validateLearnerPutBody,
  validateLearnerRecord,
} from './learner.schema';
export type {
  Gender,
  LearnerChange,
  LearnerChangeKey,
  LearnerChangeValue,
  LearnerDraft,
  LearnerPutBody,
  LearnerPutBodyInput,
  LearnerRecord,
  LearnerTombstone,
  LearnerValidation,
} from './learner.schema';
export { LEARNER_CSV_COLUMNS, importLearnersCsv } from './learner-csv';
export type { AcceptedLearnerRow, LearnerCsvImport, RejectedLearnerRow } from './learner-csv';
export { LearnerDirectory } from './learner-directory';
export type { ApplyOutcome } from './learner-directory';
export {
  ATTRIBUTIONS,
  ENRICHMENT_AGE_BANDS,
  ENRICHMENT_REGIONS,
  EnrichmentSchema,
  UNATTRIBUTED,
} from './enrichment.schema';
export type { Attribution, Enrichment, EnrichmentAgeBand, EnrichmentRegion } from './enrichment.schema';
export {
  LEARNING_POINT_ACTIVITY_PREFIX,
  LEARNING_POINT_EXTENSION,
  enrichStatement,
  enrichableStatementSchema,
  eventTime,
  explicitLearningPoint,
  learningPointActivityIri,
} from './enrich-statement';
export type {
  EnrichableActivity,
  EnrichableActivityList,
  EnrichableStatement,
  EnrichmentDeps,
  EnrichmentInput,
  EnrichmentSource,
} from './enrich-statement';
