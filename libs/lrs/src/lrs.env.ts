import { envPositiveInt } from '@app/config';
import { statementSourceTypes } from '@app/contracts';
import type { ReferenceIndex } from '@app/reference';
import { z } from 'zod';
import { CredentialStore, parseBootstrapCredential } from './credentials';
import {
  DEFAULT_AUTHORITY_HOME_PAGE,
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_STATEMENTS_PER_SECOND,
} from './lrs-gateway';
import type { LrsModuleOptions } from './lrs.options';

/** The Statement API's section of a host's environment (the gateway, or the single process). */
export const lrsEnvShape = {
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
  /** Largest request body accepted (413 above it). */
  XAPI_BODY_LIMIT_BYTES: envPositiveInt(DEFAULT_BODY_LIMIT_BYTES),
  /** Sustained statements per second per credential (429 above it). */
  XAPI_RATE_LIMIT_PER_SECOND: envPositiveInt(DEFAULT_STATEMENTS_PER_SECOND),
  /** Statements a credential may send at once after a quiet period; default 10 s worth. */
  XAPI_RATE_LIMIT_BURST: z.coerce.number().int().positive().optional(),
  /** Recently accepted statement ids remembered for the conflict check (not yet in the warehouse). */
  XAPI_RECENT_IDS: envPositiveInt(100_000),
};
export const lrsEnvSchema = z.object(lrsEnvShape);
export type LrsEnv = z.infer<typeof lrsEnvSchema>;

/** Credentials from CREDENTIALS_FILE plus the bootstrap credential (scope `all`), if set. */
export async function loadCredentials(env: LrsEnv, reference: ReferenceIndex): Promise<CredentialStore> {
  const credentials = env.CREDENTIALS_FILE
    ? await CredentialStore.fromFile(env.CREDENTIALS_FILE, { reference })
    : new CredentialStore({ reference });
  if (env.XAPI_BOOTSTRAP_CREDENTIAL) {
    const { key, secret } = parseBootstrapCredential(env.XAPI_BOOTSTRAP_CREDENTIAL);
    await credentials.addWithSecret({ key, sourceType: env.XAPI_BOOTSTRAP_SOURCE, scopes: ['all'] }, secret);
  }
  return credentials;
}

/** The LrsModule options that come from the environment. */
export function lrsOptionsFromEnv(
  env: LrsEnv,
): Pick<LrsModuleOptions, 'authorityHomePage' | 'bodyLimitBytes' | 'rateLimit' | 'recentCapacity'> {
  return {
    authorityHomePage: env.XAPI_AUTHORITY_HOME_PAGE,
    bodyLimitBytes: env.XAPI_BODY_LIMIT_BYTES,
    rateLimit: { statementsPerSecond: env.XAPI_RATE_LIMIT_PER_SECOND, burst: env.XAPI_RATE_LIMIT_BURST },
    recentCapacity: env.XAPI_RECENT_IDS,
  };
}
