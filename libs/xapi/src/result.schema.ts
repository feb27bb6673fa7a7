import { z } from 'zod';
import { durationSchema, extensionsSchema } from './common.schema';

// Data 2.4.5: Result and Score.

export const scoreSchema = z
  .strictObject({
    scaled: z.number().optional(),
    raw: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .superRefine(
    (score, ctx) => {
      if (typeof score !== 'object' || score === null) return;
      const { scaled, raw, min, max } = score;
      const num = (v: unknown): v is number => typeof v === 'number';
      if (num(scaled) && (scaled < -1 || scaled > 1)) {
        ctx.addIssue({
          code: 'custom',
          path: ['scaled'],
          params: { rule: 'score.scaled-range' },
          message: `must be between -1 and 1 inclusive (found ${scaled})`,
        });
      }
      if (num(min) && num(max) && !(min < max)) {
        ctx.addIssue({
          code: 'custom',
          path: ['min'],
          params: { rule: 'score.min-below-max' },
          message: `must be less than max (found min ${min}, max ${max})`,
        });
      }
      if (num(raw) && num(min) && raw < min) {
        ctx.addIssue({
          code: 'custom',
          path: ['raw'],
          params: { rule: 'score.raw-range' },
          message: `must not be less than min (found raw ${raw}, min ${min})`,
        });
      }
      if (num(raw) && num(max) && raw > max) {
        ctx.addIssue({
          code: 'custom',
          path: ['raw'],
          params: { rule: 'score.raw-range' },
          message: `must not be greater than max (found raw ${raw}, max ${max})`,
        });
      }
    },
    { when: () => true },
  );

export const resultSchema = z.strictObject({
  score: scoreSchema.optional(),
  success: z.boolean().optional(),
  completion: z.boolean().optional(),
  response: z.string().optional(),
  duration: durationSchema.optional(),
  extensions: extensionsSchema.optional(),
});

export type Score = z.infer<typeof scoreSchema>;
export type Result = z.infer<typeof resultSchema>;
