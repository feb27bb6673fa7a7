import { envPositiveInt } from '@app/config';
import { z } from 'zod';

import {
  ResearchCredentialStore,
  RESEARCH_SCOPES,
  parseResearchBootstrapCredential,
} from './research-credentials';

/** The research API's part of a service's environment (apps/insights, and apps/standalone which mounts it). */
export const insightsEnvShape = {
  /** JSON file `{ "researchers": [{ key, secretHash, scopes, name? }] }`; separate from CREDENTIALS_FILE. */
  RESEARCH_CREDENTIALS_FILE: z.string().min(1).optional(),
  /** `key:secret` of one researcher with every research scope (a demo or first-run credential). */
  RESEARCH_BOOTSTRAP_CREDENTIAL: z
    .string()
    .regex(/^[^:\s]+:.+$/, 'must be key:secret')
    .optional(),
  /** k: a cell with fewer distinct learners than this is suppressed. */
  RESEARCH_MIN_CELL_LEARNERS: envPositiveInt(10),
  /** Whole days after its end before a period's metrics are published (late statements arrive meanwhile). */
  RESEARCH_CLOSE_AFTER_DAYS: z.coerce.number().int().min(0).max(90).default(2),
  /**
   * Embedded mode only (no Kafka watermarks): an extract is cut at now minus this margin, so that a
   * statement accepted just now but still being written cannot slip in later.
   */
  RESEARCH_CUT_MARGIN_MS: envPositiveInt(5_000),
};
export const insightsEnvSchema = z.object(insightsEnvShape);
export type InsightsEnv = z.infer<typeof insightsEnvSchema>;

/** The researcher credentials the environment names (file, bootstrap credential, or both). */
export async function loadResearchCredentials(
  env: Pick<InsightsEnv, 'RESEARCH_CREDENTIALS_FILE' | 'RESEARCH_BOOTSTRAP_CREDENTIAL'>,
): Promise<ResearchCredentialStore> {
  const store = env.RESEARCH_CREDENTIALS_FILE
    ? await ResearchCredentialStore.fromFile(env.RESEARCH_CREDENTIALS_FILE)
    : new ResearchCredentialStore();
  if (env.RESEARCH_BOOTSTRAP_CREDENTIAL) {
    const { key, secret } = parseResearchBootstrapCredential(env.RESEARCH_BOOTSTRAP_CREDENTIAL);
    await store.addWithSecret({ key, scopes: [...RESEARCH_SCOPES], name: 'bootstrap researcher' }, secret);
  }
  return store;
}
