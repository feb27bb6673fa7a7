import { z } from 'zod';
import { activitySchema } from './activity.schema';
import { actorSchema, agentObjectSchema, authoritySchema, groupSchema } from './actor.schema';
import { attachmentSchema } from './attachment.schema';
import {
  formattedString,
  iriSchema,
  isoTimestampSchema,
  languageMapSchema,
  rfc3339TimestampSchema,
  uuidSchema,
} from './common.schema';
import { context20Schema, contextSchema, statementRefSchema } from './context.schema';
import { isVersion10, isVersion20 } from './formats';
import { resultSchema } from './result.schema';
import type { XapiVersion } from './version';

// Data 2.4: the Statement, its object forms and the SubStatement.

export const VOIDED_VERB_ID = 'http://adlnet.gov/expapi/verbs/voided';

export const verbSchema = z.strictObject({
  id: iriSchema,
  display: languageMapSchema.optional(),
});

type Ctx = z.core.$RefinementCtx<unknown>;
const always = { when: () => true } as const;

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Data 2.4.6.s4.b1-b2: revision and platform only when the (Sub)Statement's object is an Activity. */
function checkContextAgainstObject(value: unknown, ctx: Ctx): void {
  const statement = record(value);
  const context = record(statement?.context);
  const object = record(statement?.object);
  if (context === undefined || object === undefined) return;
  const objectType = object.objectType ?? 'Activity';
  if (objectType === 'Activity') return;
  for (const key of ['revision', 'platform'] as const) {
    if (context[key] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['context', key],
        params: { rule: `context.${key}-needs-activity` },
        message: `"${key}" is only allowed when the object is an Activity (found object of type ${String(objectType)})`,
      });
    }
  }
}

/** Data 2.3.2: a voiding Statement's object is a StatementRef to the voided Statement. */
function checkVoiding(value: unknown, ctx: Ctx): void {
  const statement = record(value);
  if (record(statement?.verb)?.id !== VOIDED_VERB_ID) return;
  const object = record(statement?.object);
  if (object !== undefined && object.objectType !== 'StatementRef') {
    ctx.addIssue({
      code: 'custom',
      path: ['object'],
      params: { rule: 'voiding.statement-ref' },
      message: `a voiding Statement (verb ${VOIDED_VERB_ID}) must have a StatementRef object (found ${String(object.objectType ?? 'Activity')})`,
    });
  }
}

// Data 2.4.4.3.s8.b4: selected by objectType inside a SubStatement, always rejected; its output type is never.
const nestedSubStatementSchema = z
  .looseObject({ objectType: z.literal('SubStatement') })
  .check((payload) => {
    payload.issues.push({
      code: 'custom',
      input: payload.value,
      path: [],
      params: { rule: 'substatement.nested' },
      message: 'a SubStatement must not contain another SubStatement',
    });
  })
  .pipe(z.never());

function forbiddenInSubStatement(key: string) {
  return z.never({ error: `a SubStatement must not have "${key}"` }).optional();
}

function buildSchemas<C extends typeof contextSchema | typeof context20Schema>(
  context: C,
  timestamp: typeof isoTimestampSchema,
  version: typeof isoTimestampSchema,
) {
  // Data 2.4.4.3.s8: validated as a Statement, minus id/stored/version/authority, never nested.
  const subStatementObject = z.discriminatedUnion('objectType', [
    activitySchema,
    agentObjectSchema,
    groupSchema,
    statementRefSchema,
    nestedSubStatementSchema,
  ]);
  const subStatement = z
    .strictObject({
      objectType: z.literal('SubStatement'),
      actor: actorSchema,
      verb: verbSchema,
      object: subStatementObject,
      result: resultSchema.optional(),
      context: context.optional(),
      timestamp: timestamp.optional(),
      attachments: z.array(attachmentSchema).optional(),
      id: forbiddenInSubStatement('id'),
      stored: forbiddenInSubStatement('stored'),
      version: forbiddenInSubStatement('version'),
      authority: forbiddenInSubStatement('authority'),
    })
    .superRefine(checkContextAgainstObject, always);

  // Data 2.4.4.s2: a missing objectType means Activity.
  const object = z.discriminatedUnion('objectType', [
    activitySchema,
    agentObjectSchema,
    groupSchema,
    statementRefSchema,
    subStatement,
  ]);

  const statement = z
    .strictObject({
      id: uuidSchema.optional(),
      actor: actorSchema,
      verb: verbSchema,
      object,
      result: resultSchema.optional(),
      context: context.optional(),
      timestamp: timestamp.optional(),
      stored: timestamp.optional(),
      authority: authoritySchema.optional(),
      version: version.optional(),
      attachments: z.array(attachmentSchema).optional(),
    })
    .superRefine((value, ctx) => {
      checkContextAgainstObject(value, ctx);
      checkVoiding(value, ctx);
    }, always);

  return { subStatement, object, statement };
}

const schemas103 = buildSchemas(
  contextSchema,
  isoTimestampSchema,
  formattedString(isVersion10, 'version', 'a 1.0.x version (e.g. 1.0.0)'),
);

const schemas200 = buildSchemas(
  context20Schema,
  rfc3339TimestampSchema,
  formattedString((v) => isVersion10(v) || isVersion20(v), 'version', 'a 1.0.x or 2.0.x version'),
);

/** xAPI 1.0.3 Statement schema (source of truth for validation and error messages). */
export const statementSchema = schemas103.statement;
export const subStatementSchema = schemas103.subStatement;
export const statementObjectSchema = schemas103.object;

/** xAPI 2.0.0 Statement schema: contextAgents/contextGroups, RFC 3339 timestamps, 2.0.x versions. */
export const statement20Schema = schemas200.statement;
export const subStatement20Schema = schemas200.subStatement;

export function statementSchemaFor(version: XapiVersion) {
  return version === '2.0.0' ? statement20Schema : statementSchema;
}

export type Verb = z.infer<typeof verbSchema>;
/** A validated, normalised Statement (the 2.0 shape is a superset of 1.0.3: it may carry contextAgents/Groups). */
export type Statement = z.output<typeof statement20Schema>;
export type SubStatement = z.output<typeof subStatement20Schema>;
export type StatementObject = Statement['object'];
/** What a client may send, before normalisation. */
export type StatementInput = z.input<typeof statement20Schema>;
