import { z } from 'zod';
import { activitySchema } from './activity.schema';
import { actorSchema, agentSchema, groupSchema } from './actor.schema';
import { extensionsSchema, iriSchema, languageTagSchema, uuidSchema } from './common.schema';

// Data 2.4.6: Context.

/** Data 2.4.4.3: a pointer to another Statement by its UUID. */
export const statementRefSchema = z.strictObject({
  objectType: z.literal('StatementRef'),
  id: uuidSchema,
});

// Data 2.4.6.2.s4.b2-b4: a single Activity is accepted and stored as an array of one.
const contextActivityListSchema = z.preprocess(
  (value) => (value !== undefined && !Array.isArray(value) ? [value] : value),
  z.array(activitySchema),
);

export const contextActivitiesSchema = z.strictObject({
  parent: contextActivityListSchema.optional(),
  grouping: contextActivityListSchema.optional(),
  category: contextActivityListSchema.optional(),
  other: contextActivityListSchema.optional(),
});

const contextShape = {
  registration: uuidSchema.optional(),
  instructor: actorSchema.optional(),
  team: groupSchema.optional(),
  contextActivities: contextActivitiesSchema.optional(),
  revision: z.string().optional(),
  platform: z.string().optional(),
  language: languageTagSchema.optional(),
  statement: statementRefSchema.optional(),
  extensions: extensionsSchema.optional(),
};

export const contextSchema = z.strictObject(contextShape);

// xAPI 2.0 (IEEE 9274.1.1) Context Agents and Context Groups.
const relevantTypesSchema = z.array(iriSchema).min(1);

export const contextAgentSchema = z.strictObject({
  objectType: z.literal('contextAgent'),
  agent: agentSchema,
  relevantTypes: relevantTypesSchema.optional(),
});

export const contextGroupSchema = z.strictObject({
  objectType: z.literal('contextGroup'),
  group: groupSchema,
  relevantTypes: relevantTypesSchema.optional(),
});

export const context20Schema = z.strictObject({
  ...contextShape,
  contextAgents: z.array(contextAgentSchema).optional(),
  contextGroups: z.array(contextGroupSchema).optional(),
});

export type StatementRef = z.infer<typeof statementRefSchema>;
export type ContextActivities = z.output<typeof contextActivitiesSchema>;
export type ContextAgent = z.infer<typeof contextAgentSchema>;
export type ContextGroup = z.infer<typeof contextGroupSchema>;
/** Context as stored (contextActivities values are arrays); contextAgents/contextGroups only with xAPI 2.0. */
export type Context = z.output<typeof context20Schema>;
