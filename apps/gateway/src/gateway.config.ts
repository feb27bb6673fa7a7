import { envBoolean, envPort, envPositiveInt } from '@app/config';
import { kafkaEnvShape } from '@app/bus';
import { statementSourceTypes } from '@app/contracts';
import {
  DEFAULT_AUTHORITY_HOME_PAGE,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_LEARNER_HOME_PAGE,
  DEFAULT_STATEMENTS_PER_SECOND,
} from '@app/lrs';
import { warehouseEnvSchema } from '@app/warehouse';
import { z } from 'zod';

/** The gateway's environment; validated once at start (every problem listed). */
export const gatewayEnvSchema = z
  .object({
    PORT: envPort(8080),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** JSON file `{ "credentials": [ { key, secretHash, source, scopes, boundLearningPointId? } ] }`. */
    CREDENTIALS_FILE: z.string().min(1).optional(),
    /** `key:secret`: one extra credential with scope `all`, for first start and conformance tests. */
    XAPI_BOOTSTRAP_CREDENTIAL: z
      .string()
      .regex(/^[^:\s]+:.+$/, 'must be key:secret')
      .optional(),
    /** Source type of the bootstrap credential. */
    XAPI_BOOTSTRAP_SOURCE: z.enum(statementSourceTypes).default('partner'),
    /** homePage of the authority account stamped on every statement (account name = credential key). */
    XAPI_AUTHORITY_HOME_PAGE: z.url().default(DEFAULT_AUTHORITY_HOME_PAGE),
    /** homePage of the account a registry learner id in an attendance sheet becomes. */
    XAPI_LEARNER_HOME_PAGE: z.url().default(DEFAULT_LEARNER_HOME_PAGE),
    /** Largest request body accepted (413 above it). */
    XAPI_BODY_LIMIT_BYTES: envPositiveInt(DEFAULT_BODY_LIMIT_BYTES),
    /** Sustained statements per second per credential (429 above it). */
    XAPI_RATE_LIMIT_PER_SECOND: envPositiveInt(DEFAULT_STATEMENTS_PER_SECOND),
    /** Statements a credential may send at once after a quiet period; default 10 s worth. */
    XAPI_RATE_LIMIT_BURST: z.coerce.number().int().positive().optional(),
    /** Recently accepted statement ids remembered for the conflict check (not yet in the warehouse). */
    XAPI_RECENT_IDS: envPositiveInt(100_000),
    /**
     * Where stored statements are looked up for the conflict check: `warehouse` (the ClickHouse server of
     * the distributed mode) or `recent-only` (this process's memory; for development without a warehouse).
     */
    XAPI_CONFLICT_LOOKUP: z.enum(['warehouse', 'recent-only']).default('warehouse'),
    /** Reference data directory (learning points, skills); default the repository's libs/reference/data. */
    REFERENCE_DATA_DIR: z.string().min(1).optional(),
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
