import { envPort } from '@app/config';
import { warehouseEnvSchema } from '@app/warehouse';
import { z } from 'zod';

/**
 * apps/viewer: the dashboards in the browser beside a ClickHouse server (distributed mode), for a college
 * without Grafana. Reads with a read-only ClickHouse user (readonly = 1 with max_execution_time changeable,
 * like Grafana's); never migrates.
 */
export const viewerEnvSchema = z
  .object({
    PORT: envPort(8084),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    CLICKHOUSE_URL: z.url(),
    CLICKHOUSE_USER: warehouseEnvSchema.shape.CLICKHOUSE_USER,
    CLICKHOUSE_PASSWORD: warehouseEnvSchema.shape.CLICKHOUSE_PASSWORD,
    CLICKHOUSE_DATABASE: warehouseEnvSchema.shape.CLICKHOUSE_DATABASE,
    /** The gateway's credentials file format; readers need the scope dashboards/read (or all/read, all). */
    CREDENTIALS_FILE: z.string().min(1).optional(),
    /** `key:secret` of one reader with the scope dashboards/read. */
    VIEWER_CREDENTIAL: z
      .string()
      .regex(/^[^:\s]+:.+$/, 'must be key:secret')
      .optional(),
    /** Where the generated dashboards are; default dashboards/generated of the repository. */
    DASHBOARDS_DIR: z.string().min(1).optional(),
  })
  .refine((env) => env.CREDENTIALS_FILE !== undefined || env.VIEWER_CREDENTIAL !== undefined, {
    message: 'set CREDENTIALS_FILE or VIEWER_CREDENTIAL (otherwise nobody can sign in)',
    path: ['CREDENTIALS_FILE'],
  });
export type ViewerEnv = z.infer<typeof viewerEnvSchema>;
