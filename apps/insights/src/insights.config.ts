import { envBoolean, envPort, envPositiveInt } from '@app/config';
import { kafkaEnvShape } from '@app/bus';
import { topics } from '@app/contracts';
import { insightsEnvShape } from '@app/insights';
import { warehouseEnvSchema } from '@app/warehouse';
import { z } from 'zod';

/**
 * apps/insights: the research API on its own (distributed mode). It reads `statements` and the aggregates,
 * writes its studies, extracts and audit log, and for a PIPL erasure also the learner registry, whose
 * change feed goes to the enrichers through Kafka.
 */
export const insightsAppEnvSchema = z
  .object({
    PORT: envPort(8083),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    ...insightsEnvShape,
    ...kafkaEnvShape,
    ...warehouseEnvSchema.shape,
    // The sink migrates the server (0011 included); this service only uses the tables.
    WAREHOUSE: z.enum(['chdb', 'clickhouse']).default('clickhouse'),
    WAREHOUSE_MIGRATE: envBoolean(false),
    /** The sink's consumer group and the enriched topic's partitions: the extract cut's watermarks. */
    SINK_GROUP_ID: z.string().min(1).default('sink'),
    ENRICHED_TOPIC_PARTITIONS: envPositiveInt(topics.statementsEnriched.defaultPartitions),
    /** Reference data directory (the registry validates learners against it); default the repository's. */
    REFERENCE_DATA_DIR: z.string().min(1).optional(),
  })
  .refine(
    (env) => env.RESEARCH_CREDENTIALS_FILE !== undefined || env.RESEARCH_BOOTSTRAP_CREDENTIAL !== undefined,
    {
      message:
        'set RESEARCH_CREDENTIALS_FILE or RESEARCH_BOOTSTRAP_CREDENTIAL (otherwise no researcher can sign in)',
      path: ['RESEARCH_CREDENTIALS_FILE'],
    },
  )
  .refine((env) => env.WAREHOUSE === 'chdb' || env.CLICKHOUSE_URL !== undefined, {
    message: 'required when WAREHOUSE=clickhouse',
    path: ['CLICKHOUSE_URL'],
  });
export type InsightsAppEnv = z.infer<typeof insightsAppEnvSchema>;
