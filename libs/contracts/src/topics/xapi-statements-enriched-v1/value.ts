import { EnrichmentSchema } from '@app/enrichment';
import { receivedStatementValueSchema } from '../xapi-statements-received-v1/value';

/**
 * The enrichment is defined once, by the enricher's own library (@app/enrichment): learner, place,
 * demographics at the statement's time, skill and verb category.
 */
export const enrichmentSchema = EnrichmentSchema;
export type { Enrichment } from '@app/enrichment';

export const enrichedStatementValueSchema = receivedStatementValueSchema.extend({
  enrichment: enrichmentSchema,
});
export type EnrichedStatementValue = import('zod').infer<typeof enrichedStatementValueSchema>;
