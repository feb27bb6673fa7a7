import { receivedStatementKeySchema } from '../xapi-statements-received-v1/key';

/** Same canonical actor key as the received topic: enrichment keeps each learner's order. */
export const enrichedStatementKeySchema = receivedStatementKeySchema;
export type EnrichedStatementKey = string;
