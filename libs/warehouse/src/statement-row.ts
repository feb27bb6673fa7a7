import { z } from 'zod';

/** ClickHouse's DateTime64(6) text form in UTC: 'YYYY-MM-DD hh:mm:ss.ffffff'. */
export const ClickHouseDateTime64Schema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/, "expected UTC 'YYYY-MM-DD hh:mm:ss.ffffff'");

const ISO_8601 = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Converts an ISO 8601 timestamp with any offset to UTC DateTime64(6) text without losing the
 * microseconds (a JS Date keeps only milliseconds). Digits beyond the sixth are truncated.
 */
export function toClickHouseDateTime64(iso: string): string {
  const match = ISO_8601.exec(iso);
  if (!match) throw new RangeError(`Not an ISO 8601 timestamp with a time zone: ${JSON.stringify(iso)}`);
  const [, date, time, fraction = '', zone] = match;
  const wholeSeconds = Date.parse(`${date}T${time}${zone.toUpperCase() === 'Z' ? 'Z' : zone}`);
  if (Number.isNaN(wholeSeconds)) throw new RangeError(`Invalid timestamp: ${JSON.stringify(iso)}`);
  const utc = new Date(wholeSeconds).toISOString(); // YYYY-MM-DDThh:mm:ss.000Z
  return `${utc.slice(0, 10)} ${utc.slice(11, 19)}.${fraction.padEnd(6, '0').slice(0, 6)}`;
}

/** The inverse, for the read side: DateTime64(6) UTC text to ISO 8601 with microseconds. */
export function fromClickHouseDateTime64(value: string): string {
  return `${ClickHouseDateTime64Schema.parse(value).replace(' ', 'T')}Z`;
}

// Any 8-4-4-4-12 hex UUID: xAPI ids need not carry an RFC variant.
const UuidSchema = z.guid();
const Label = z.string().min(1).max(200);

/**
 * One row of the `statements` table (migrations/0001_statements.sql) as inserted with JSONEachRow.
 * Enrichment columns have the same defaults as the table, so an unenriched row is still valid.
 */
export const StatementRowSchema = z.strictObject({
  id: UuidSchema,
  /** Canonical learner identity from the actor's inverse functional identifier. */
  actor_key: z.string().min(1),
  verb_id: z.string().min(1),
  object_id: z.string().min(1),
  object_type: z.enum(['Activity', 'Agent', 'Group', 'StatementRef', 'SubStatement']),
  timestamp: ClickHouseDateTime64Schema,
  stored: ClickHouseDateTime64Schema,
  registration: UuidSchema.nullable(),
  voided: z.boolean(),
  voiding_target: UuidSchema.nullable(),
  /** Source type of the sending credential: portal, app, classroom, kiosk, partner, ... */
  source: Label,
  credential_key: z.string().min(1),

  learner_id: z.string().default(''),
  learning_point_id: Label.default('unattributed'),
  school_id: Label.default('unattributed'),
  town: Label.default('unattributed'),
  region: Label.default('unknown'),
  age_band: Label.default('unknown'),
  gender: Label.default('unknown'),
  /** The learner's home town (a demographic; `town` is where the learning happened). */
  home_town: Label.default('unknown'),
  skill: Label.default('unknown'),
  verb_category: Label.default('other'),

  duration_seconds: z.number().nonnegative().nullable(),
  score_scaled: z.number().min(-1).max(1).nullable(),
  success: z.boolean().nullable(),
  completion: z.boolean().nullable(),

  /** The full statement JSON as stored. */
  raw: z.string().min(2),

  /** Query filter keys (migration 0009, computed by statementRelationColumns); empty for rows without them. */
  agent_keys: z.array(z.string()).default([]),
  related_agent_keys: z.array(z.string()).default([]),
  related_activity_ids: z.array(z.string()).default([]),

  kafka_topic: z.string().default(''),
  kafka_partition: z.number().int().min(-1).default(-1),
  /** Int64 offset as a decimal string, as kafkajs reports it. */
  kafka_offset: z
    .string()
    .regex(/^-?\d+$/)
    .default('-1'),
  /**
   * Which copy of an id wins when copies collapse (the highest). Writers pass it (the statement's
   * `stored`, or the voiding statement's for a voiding re-write) so that a retried batch is byte-identical
   * and dropped by the table's deduplication window; left out, the table stamps the insert time.
   */
  row_version: ClickHouseDateTime64Schema.optional(),
});

export type StatementRow = z.output<typeof StatementRowSchema>;
/** What a mapper has to provide: the defaulted enrichment and audit columns may be left out. */
export type StatementRowInput = z.input<typeof StatementRowSchema>;

/** Column list of the statements table that StatementRowSchema covers. */
export const STATEMENT_ROW_COLUMNS = Object.keys(StatementRowSchema.shape) as (keyof StatementRow)[];
