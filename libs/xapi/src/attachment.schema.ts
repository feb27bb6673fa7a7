import { z } from 'zod';
import { iriSchema, irlSchema, languageMapSchema, mediaTypeSchema, sha2Schema } from './common.schema';

// Data 2.4.11: Attachment metadata (the payload travels in the multipart request, not in the statement).

export const attachmentSchema = z.strictObject({
  usageType: iriSchema,
  display: languageMapSchema,
  description: languageMapSchema.optional(),
  contentType: mediaTypeSchema,
  length: z.number().int().nonnegative(),
  sha2: sha2Schema,
  fileUrl: irlSchema.optional(),
});

export type Attachment = z.infer<typeof attachmentSchema>;
