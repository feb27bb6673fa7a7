import { z } from 'zod';

export const statementSourceTypes = ['portal', 'app', 'classroom', 'kiosk', 'partner'] as const;
export const statementSourceTypeSchema = z.enum(statementSourceTypes);
export type StatementSourceType = z.infer<typeof statementSourceTypeSchema>;

/** Where the statement came from: the credential it was posted with, and what that credential is bound to. */
export const statementSourceSchema = z.object({
  type: statementSourceTypeSchema,
  credentialKey: z.string().min(1),
  /** Set when the credential belongs to one learning point (a classroom or a kiosk). */
  boundLearningPointId: z.string().min(1).optional(),
});
export type StatementSource = z.infer<typeof statementSourceSchema>;

/**
 * The statement exactly as the gateway accepted it (already validated and normalised by @app/xapi); kept
 * as an open object here so this contract does not duplicate the xAPI schema.
 */
export const acceptedStatementSchema = z.record(z.string(), z.unknown());

export const receivedStatementValueSchema = z.object({
  statement: acceptedStatementSchema,
  receivedAt: z.iso.datetime({ offset: true }),
  source: statementSourceSchema,
  requestId: z.string().min(1),
});
export type ReceivedStatementValue = z.infer<typeof receivedStatementValueSchema>;
