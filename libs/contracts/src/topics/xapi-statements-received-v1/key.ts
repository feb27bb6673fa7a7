import { z } from 'zod';

/**
 * The canonical actor key (computed by @app/xapi from the statement's actor), so every statement of one
 * learner lands on one partition and stays ordered. Sent as plain UTF-8, not JSON.
 */
export const receivedStatementKeySchema = z.string().min(1).max(1024);
export type ReceivedStatementKey = z.infer<typeof receivedStatementKeySchema>;
