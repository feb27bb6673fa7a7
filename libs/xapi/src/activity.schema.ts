import { z } from 'zod';
import { extensionsSchema, iriSchema, irlSchema, languageMapSchema } from './common.schema';

// Data 2.4.4.1: Activities, their definitions and interaction activities.

export const INTERACTION_TYPES = [
  'true-false',
  'choice',
  'fill-in',
  'long-fill-in',
  'matching',
  'performance',
  'sequencing',
  'likert',
  'numeric',
  'other',
] as const;
export type InteractionType = (typeof INTERACTION_TYPES)[number];

export const COMPONENT_LISTS = ['choices', 'scale', 'source', 'target', 'steps'] as const;
export type ComponentList = (typeof COMPONENT_LISTS)[number];

/** Data 2.4.4.1.s15: which interaction component lists each interactionType supports. */
export const COMPONENT_LISTS_BY_TYPE: Readonly<Record<InteractionType, readonly ComponentList[]>> = {
  choice: ['choices'],
  sequencing: ['choices'],
  likert: ['scale'],
  matching: ['source', 'target'],
  performance: ['steps'],
  'true-false': [],
  'fill-in': [],
  'long-fill-in': [],
  numeric: [],
  other: [],
};

export const interactionComponentSchema = z.strictObject({
  id: z.string(),
  description: languageMapSchema.optional(),
});

const componentListSchema = z.array(interactionComponentSchema).superRefine((components, ctx) => {
  const seen = new Set<string>();
  components.forEach((component, index) => {
    if (seen.has(component.id)) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'id'],
        params: { rule: 'interaction.component-id-unique' },
        message: `interaction component ids must be distinct within a list (found ${JSON.stringify(component.id)} twice)`,
      });
    }
    seen.add(component.id);
  });
});

export const activityDefinitionSchema = z
  .strictObject({
    name: languageMapSchema.optional(),
    description: languageMapSchema.optional(),
    type: iriSchema.optional(),
    moreInfo: irlSchema.optional(),
    interactionType: z.enum(INTERACTION_TYPES).optional(),
    correctResponsesPattern: z.array(z.string()).optional(),
    choices: componentListSchema.optional(),
    scale: componentListSchema.optional(),
    source: componentListSchema.optional(),
    target: componentListSchema.optional(),
    steps: componentListSchema.optional(),
    extensions: extensionsSchema.optional(),
  })
  .superRefine(
    (definition, ctx) => {
      if (typeof definition !== 'object' || definition === null) return;
      const type = definition.interactionType;
      const known = typeof type === 'string' && (INTERACTION_TYPES as readonly string[]).includes(type);
      for (const list of COMPONENT_LISTS) {
        if (definition[list] === undefined) continue;
        if (type === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [list],
            params: { rule: 'interaction.component-list' },
            message: `an interaction component list needs an interactionType (found "${list}" without one)`,
          });
        } else if (known && !COMPONENT_LISTS_BY_TYPE[type].includes(list)) {
          ctx.addIssue({
            code: 'custom',
            path: [list],
            params: { rule: 'interaction.component-list' },
            message: `interactionType "${type}" does not support the "${list}" component list`,
          });
        }
      }
      if (definition.correctResponsesPattern !== undefined && type === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['correctResponsesPattern'],
          params: { rule: 'interaction.correct-responses' },
          message: 'correctResponsesPattern needs an interactionType',
        });
      }
    },
    { when: () => true },
  );

export const activitySchema = z.strictObject({
  objectType: z.literal('Activity').optional(),
  id: iriSchema,
  definition: activityDefinitionSchema.optional(),
});

export type InteractionComponent = z.infer<typeof interactionComponentSchema>;
export type ActivityDefinition = z.infer<typeof activityDefinitionSchema>;
export type Activity = z.infer<typeof activitySchema>;
