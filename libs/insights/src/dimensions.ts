/**
 * The dimensions a metric can be grouped or filtered by, and the `statements` column behind each. Only
 * these names are ever put into SQL text; values are bound parameters.
 */
export const DIMENSIONS = {
  town: 'town',
  region: 'region',
  learning_point: 'learning_point_id',
  age_band: 'age_band',
  gender: 'gender',
  source: 'source',
  skill: 'skill',
  home_town: 'home_town',
} as const;
export type Dimension = keyof typeof DIMENSIONS;
export const DIMENSION_NAMES = Object.keys(DIMENSIONS) as Dimension[];

/** Learner key as in the aggregates (migration 0004): the pseudonymous id, else a digest of the actor. */
export const LEARNER_KEY_SQL = `if(learner_id != '', learner_id, concat('actor:', lower(hex(SHA256(actor_key)))))`;

/**
 * The statements that count, as rebuildAggregates counts them: one row per id, no voiding statements, none
 * voided. `extraWhere` adds conditions on the same row (bound parameters only).
 */
export function countedStatementsSql(extraWhere: string): string {
  return `SELECT *
    FROM statements FINAL
    WHERE voiding_target IS NULL
      AND verb_id != 'http://adlnet.gov/expapi/verbs/voided'
      AND NOT voided
      AND id NOT IN (SELECT assumeNotNull(voiding_target) FROM statements WHERE voiding_target IS NOT NULL)
      AND ${extraWhere}`;
}

/** Completion and pass as skill_progress (migration 0005) defines them. */
export const COMPLETED_SQL = `(ifNull(completion, false) OR ifNull(success, false) OR verb_category IN ('completed', 'passed'))`;
export const PASSED_SQL = `(ifNull(success, false) OR verb_category = 'passed')`;
