import { hostname } from 'node:os';
import { kafkaEnvShape } from '@app/bus';
import { envBoolean, envPort } from '@app/config';
import { warehouseEnvSchema } from '@app/warehouse';
import { z } from 'zod';

/** The enricher's environment; validated once at start (every problem listed). */
export const enricherEnvSchema = z.object({
  /** HTTP port of /health and /metrics. */
  PORT: envPort(8081),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Reference data directory (towns, learning points, skills); default the repository's libs/reference/data. */
  REFERENCE_DATA_DIR: z.string().min(1).optional(),
  /** Consumer group of `xapi.statements.received.v1`, shared by all enricher instances (they split partitions). */
  ENRICHER_GROUP_ID: z.string().min(1).default('enricher'),
  /**
   * Names this instance's own consumer group of the learner change feed (`enricher-learners-<id>`): every
   * instance must see every change. Default `<hostname>-<pid>`.
   */
  ENRICHER_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only')
    .default(() => `${hostname()}-${process.pid}`),
  /** Create missing topics (all of the registry's, with their default partition counts) at start. */
  KAFKA_ENSURE_TOPICS: envBoolean(true),
  ...kafkaEnvShape,
  ...warehouseEnvSchema.shape,
  // The enricher only reads `dim_learners` at start; in the distributed mode another service migrates.
  WAREHOUSE: z.enum(['chdb', 'clickhouse']).default('clickhouse'),
  WAREHOUSE_MIGRATE: envBoolean(false),
});
export type EnricherConfig = z.infer<typeof enricherEnvSchema>;

/** The change-feed consumer group of one enricher instance. */
export function learnerFeedGroupId(config: Pick<EnricherConfig, 'ENRICHER_INSTANCE_ID'>): string {
  return `enricher-learners-${config.ENRICHER_INSTANCE_ID}`;
}
