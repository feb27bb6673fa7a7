import { z } from 'zod';
import { envPort } from '@app/config';
import { kafkaEnvShape } from '@app/bus';
import { warehouseEnvSchema } from '@app/warehouse';

/** apps/sink's environment: the bus and warehouse sections plus its own knobs. */
export const sinkEnvSchema = z.object({
  ...kafkaEnvShape,
  ...warehouseEnvSchema.shape,
  /** HTTP port for /health and /metrics. */
  PORT: envPort(8082),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Reference data directory (towns, points, skills) for the dimension tables; default the repository's. */
  REFERENCE_DATA_DIR: z.string().min(1).optional(),
  /** Consumer group of the sink; the read side asks for this group's watermarks. */
  SINK_GROUP_ID: z.string().min(1).default('sink'),
  /** An INSERT starts no sooner than this after the previous one: fewer, larger inserts (see createSinkStep). */
  SINK_MIN_INSERT_INTERVAL_MS: z.coerce.number().int().min(0).default(250),
  /**
   * Take voided statements out of the aggregates at most this often (recountVoidedStatements). Only with a
   * single sink replica: the recount is exact only while no other sink writes the store. 0 (default): off,
   * voided statements leave the aggregates at the next rebuildAggregates.
   */
  SINK_VOIDED_RECOUNT_INTERVAL_MS: z.coerce.number().int().min(0).default(0),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});
export type SinkEnv = z.infer<typeof sinkEnvSchema>;
