import { z } from 'zod';
import { envBoolean, envPort, envPositiveInt } from '@app/config';
import { kafkaEnvShape } from '@app/bus';
import { lrsEnvShape } from '@app/lrs';
import { insightsEnvShape } from '@app/insights';
import { warehouseEnvSchema } from '@app/warehouse';

/**
 * `npm start`: gateway, enricher and sink in one process, serving everything on one port. The embedded
 * default runs the steps on the in-process bus with chdb in DATA_DIR; TRANSPORT=kafka runs the same
 * process through Kafka (KAFKA_BROKERS).
 */
export const standaloneEnvSchema = z
  .object({
    PORT: envPort(8080),
    /** 127.0.0.1 by default: a laptop demo should not be reachable from the network unless asked. */
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    TRANSPORT: z.enum(['inprocess', 'kafka']).default('inprocess'),
    /** Consumer groups with TRANSPORT=kafka (the sink's also names its watermarks). */
    ENRICHER_GROUP_ID: z.string().min(1).default('enricher'),
    SINK_GROUP_ID: z.string().min(1).default('sink'),
    /**
     * An INSERT starts no sooner than this after the previous one (see createSinkStep). Default: 250 with
     * TRANSPORT=kafka (acknowledged before the insert), 0 on the in-process bus (the ack waits for it).
     */
    SINK_MIN_INSERT_INTERVAL_MS: z.coerce.number().int().min(0).optional(),
    /**
     * Voided statements are taken out of the aggregates at most this often (recountVoidedStatements, in the
     * sink's commit queue; this process is the store's only writer). 0: only by rebuildAggregates.
     */
    VOIDED_RECOUNT_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
    /** Load a simulated demo district into an empty data directory. */
    DEMO: envBoolean(true),
    DEMO_LEARNERS: envPositiveInt(1500),
    DEMO_DAYS: envPositiveInt(60),
    DEMO_SEED: z.coerce.number().int().default(20261128),
    /** Reference data directory (towns, points, skills); default the repository's libs/reference/data. */
    REFERENCE_DATA_DIR: z.string().min(1).optional(),
    ...lrsEnvShape,
    ...insightsEnvShape,
    ...warehouseEnvSchema.shape,
    ...kafkaEnvShape,
    // Only needed with TRANSPORT=kafka (checked below).
    KAFKA_BROKERS: kafkaEnvShape.KAFKA_BROKERS.optional(),
  })
  .refine((env) => env.TRANSPORT !== 'kafka' || env.KAFKA_BROKERS !== undefined, {
    message: 'required when TRANSPORT=kafka',
    path: ['KAFKA_BROKERS'],
  })
  .refine((env) => env.WAREHOUSE === 'chdb' || env.CLICKHOUSE_URL !== undefined, {
    message: 'required when WAREHOUSE=clickhouse',
    path: ['CLICKHOUSE_URL'],
  });
export type StandaloneEnv = z.infer<typeof standaloneEnvSchema>;
