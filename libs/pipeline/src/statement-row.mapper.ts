import { z } from 'zod';
import type { ConsumedMessage } from '@app/bus';
import type { EnrichedStatementValue } from '@app/contracts';
import { VOIDED_VERB_ID, actorKey, durationToSeconds, type Actor } from '@app/xapi';
import { statementRelationColumns, toClickHouseDateTime64, type StatementRowInput } from '@app/warehouse';

/** A message whose statement cannot become a row; permanent, so the message goes to the DLQ. */
export class StatementMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatementMappingError';
  }
}

/**
 * The parts of a stored statement the row needs. The gateway validated the whole statement already; this
 * re-checks only what the columns depend on, so a malformed message fails with the field it lacks.
 */
const StoredStatementShape = z.looseObject({
  id: z.string(),
  actor: z.looseObject({}),
  verb: z.looseObject({ id: z.string() }),
  object: z.looseObject({ objectType: z.string().optional(), id: z.string().optional() }),
  timestamp: z.string(),
  stored: z.string(),
  context: z.looseObject({ registration: z.string().optional() }).optional(),
  result: z
    .looseObject({
      duration: z.string().optional(),
      success: z.boolean().optional(),
      completion: z.boolean().optional(),
      score: z.looseObject({ scaled: z.number().optional() }).optional(),
    })
    .optional(),
});

type ObjectType = StatementRowInput['object_type'];

function objectOf(object: z.infer<typeof StoredStatementShape>['object']): { type: ObjectType; id: string } {
  const type = (object.objectType ?? 'Activity') as ObjectType;
  switch (type) {
    case 'Activity':
    case 'StatementRef':
      if (!object.id) throw new StatementMappingError(`statement.object: a ${type} needs an id`);
      return { type, id: object.id };
    case 'Agent':
    case 'Group':
      return { type, id: safeActorKey(object, 'statement.object') ?? '(anonymous group)' };
    case 'SubStatement':
      return { type, id: '(substatement)' };
    default:
      throw new StatementMappingError(`statement.object.objectType: unknown type ${JSON.stringify(type)}`);
  }
}

function safeActorKey(actor: object, path: string): string | null {
  try {
    return actorKey(actor as Actor);
  } catch (error) {
    if (error instanceof Error && error.name === 'AnonymousGroupError') return null;
    throw new StatementMappingError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Maps one enriched message to a `statements` row (raw JSON, extracted and enrichment columns). */
export function toStatementRow(message: ConsumedMessage<EnrichedStatementValue>): StatementRowInput {
  const { statement: candidate, source, enrichment } = message.value;
  const parsed = StoredStatementShape.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StatementMappingError(`statement.${issue.path.join('.')}: ${issue.message}`);
  }
  const statement = parsed.data;
  const object = objectOf(statement.object);
  const isVoiding = statement.verb.id === VOIDED_VERB_ID && object.type === 'StatementRef';
  const result = statement.result;
  let durationSeconds: number | null = null;
  if (result?.duration !== undefined) {
    try {
      durationSeconds = durationToSeconds(result.duration);
    } catch (error) {
      throw new StatementMappingError(`statement.result.duration: ${(error as Error).message}`);
    }
  }
  let timestamp: string;
  let stored: string;
  try {
    timestamp = toClickHouseDateTime64(statement.timestamp);
    stored = toClickHouseDateTime64(statement.stored);
  } catch (error) {
    throw new StatementMappingError(`statement timestamp/stored: ${(error as Error).message}`);
  }
  return {
    id: statement.id.toLowerCase(),
    // An anonymous Group as actor has no identity; it is kept under a per-statement key.
    actor_key: message.key ?? safeActorKey(statement.actor, 'statement.actor') ?? `anonymous:${statement.id}`,
    verb_id: statement.verb.id,
    object_id: object.id,
    object_type: object.type,
    timestamp,
    stored,
    registration: statement.context?.registration ?? null,
    voided: false,
    voiding_target: isVoiding ? object.id.toLowerCase() : null,
    source: source.type,
    credential_key: source.credentialKey,
    learner_id: enrichment.learnerId ?? '',
    learning_point_id: enrichment.learningPointId,
    school_id: enrichment.schoolId ?? 'unattributed',
    town: enrichment.townId ?? 'unattributed',
    region: enrichment.region ?? 'unknown',
    age_band: enrichment.ageBand,
    gender: enrichment.gender,
    home_town: enrichment.homeTownId ?? 'unknown',
    skill: enrichment.skillId ?? 'unknown',
    verb_category: enrichment.verbCategory,
    duration_seconds: durationSeconds,
    score_scaled: result?.score?.scaled ?? null,
    success: result?.success ?? null,
    completion: result?.completion ?? null,
    raw: JSON.stringify(candidate),
    ...relationColumns(candidate),
    kafka_topic: message.topic,
    kafka_partition: message.partition,
    kafka_offset: message.offset,
    row_version: stored,
  };
}

/** The Statement API's filter keys (migration 0009); an unkeyable actor is a mapping error like the others. */
function relationColumns(statement: unknown): ReturnType<typeof statementRelationColumns> {
  try {
    return statementRelationColumns(statement);
  } catch (error) {
    throw new StatementMappingError(
      `statement agents: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
