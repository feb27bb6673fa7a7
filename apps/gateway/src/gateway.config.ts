import { envBoolean, envPort } from '@app/config';
import { kafkaEnvShape } from '@app/bus';
import { lrsEnvShape } from '@app/lrs';
import { warehouseEnvSchema } from '@app/warehouse';
import { z } from 'zod';

/** The gateway's environment; validated once at start (every problem listed). */
export const gatewayEnvSchema = z
  .object({
    PORT: envPort(8080),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    ...lrsEnvShape,
    /**
     * Where stored statements are looked up for the conflict check: `warehouse` (the ClickHouse server of
     * the distributed mode) or `recent-only` (this process's memory; for development without a warehouse).
     */
    XAPI_CONFLICT_LOOKUP: z.enum(['warehouse', 'recent-only']).default('warehouse'),
    /**
     * Whether this replica serves the document resources (State, Activity and Agent Profiles; needs the
     * warehouse). Their ETag checks are atomic within one process only, so exactly one replica serves them.
     */
    XAPI_DOCUMENTS: z.enum(['serve', 'off']).default('serve'),
    /** Reference data directory (learning points, skills); default the repository's libs/reference/data. */
    REFERENCE_DATA_DIR: z.string().min(1).optional(),
    /** The sink's consumer group, whose watermarks give GET /xapi/statements its Consistent-Through. */
    SINK_GROUP_ID: z.string().min(1).default('sink'),
    /** Create the topic the gateway produces to if it is missing. */
    KAFKA_ENSURE_TOPICS: envBoolean(true),
    ...kafkaEnvShape,
    ...warehouseEnvSchema.shape,
    // In the distributed mode the warehouse is a server another service migrates; the gateway only reads.
    WAREHOUSE: z.enum(['chdb', 'clickhouse']).default('clickhouse'),
    WAREHOUSE_MIGRATE: envBoolean(false),
  })
  .refine((env) => env.CREDENTIALS_FILE !== undefined || env.XAPI_BOOTSTRAP_CREDENTIAL !== undefined, {
    message: 'set CREDENTIALS_FILE or XAPI_BOOTSTRAP_CREDENTIAL (otherwise nobody can send statements)',
    path: ['CREDENTIALS_FILE'],
  });
export type GatewayConfig = z.infer<typeof gatewayEnvSchema>;
