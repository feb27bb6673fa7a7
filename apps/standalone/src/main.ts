import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@app/config';
import { parseBootstrapCredential } from '@app/lrs';
import { runService, type JsonLogger } from '@app/observability';
import { startBanner } from './banner';
import { refreshViewsNow } from '@app/warehouse';
import { loadDemoDistrict } from './demo';
import { standaloneEnvSchema } from './standalone.config';
import { startStandalone } from './standalone.app';

async function main(): Promise<{ logger: JsonLogger; stop: () => Promise<void> }> {
  const env = loadConfig(standaloneEnvSchema);
  // Nobody could send a statement without a credential: make one up for this run and print it. Only its
  // scrypt hash is kept, in memory.
  let generated = false;
  if (!env.CREDENTIALS_FILE && !env.XAPI_BOOTSTRAP_CREDENTIAL) {
    env.XAPI_BOOTSTRAP_CREDENTIAL = `local-admin:${randomBytes(12).toString('base64url')}`;
    generated = true;
  }
  const running = await startStandalone(env);
  const credential = env.XAPI_BOOTSTRAP_CREDENTIAL
    ? { ...parseBootstrapCredential(env.XAPI_BOOTSTRAP_CREDENTIAL), generated }
    : undefined;
  process.stdout.write(startBanner({ env, url: running.url, credential }) + '\n');
  if (env.DEMO && running.emptyAtStart) {
    // In the background, so the service answers (and stops cleanly) while the demo loads.
    void loadDemoDistrict({
      url: running.url,
      credentials: running.credentials,
      reference: running.reference,
      logger: running.logger,
      learners: env.DEMO_LEARNERS,
      days: env.DEMO_DAYS,
      seed: env.DEMO_SEED,
      refreshViews: () => refreshViewsNow(running.warehouse),
    }).catch((error: unknown) =>
      running.logger.event('error', 'the demo district could not be loaded', { error: String(error) }),
    );
  }

  return { logger: running.logger, stop: () => running.close() };
}

runService('standalone', main);
