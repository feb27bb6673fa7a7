import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { ensureChromium } from './chromium';
import { ensurePythonTools } from './python-tools';
import { startKafkaBroker } from './kafka-broker';
import { TEST_BROKER_STATE_ENV, writeTestBrokerState } from './test-broker';

/**
 * Integration-project global setup: starts a fresh single-node Kafka broker on a free port with a temporary
 * data dir, unless KAFKA_BROKERS already points at one. Workers inherit process.env, so they see
 * KAFKA_BROKERS and KAFKA_TEST_BROKER_STATE (used by stopTestBroker/startTestBroker/restartTestBroker).
 * It also prepares the Python tools (pandas, pyarrow, schemathesis) and Chromium that some tests drive.
 * If Java or Maven is missing this throws, which fails the whole integration run.
 */
export default async function globalSetup(): Promise<void> {
  // Once, before the workers start, so no two test files race to build the venv or to run apt-get.
  ensurePythonTools();
  ensureChromium();
  if (process.env.KAFKA_BROKERS) {
    process.stderr.write(`\n[kafka] using external broker(s) KAFKA_BROKERS=${process.env.KAFKA_BROKERS}\n`);
    return;
  }
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'xapi-kafka-test-'));
  const broker = await startKafkaBroker({
    port: await freePort(),
    dataDir,
    stopWhenProcessExits: process.pid,
  }).catch((error: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  const stateFile = join(dataDir, 'test-broker-state.json');
  writeTestBrokerState(stateFile, {
    brokers: broker.brokers,
    port: broker.port,
    dataDir,
    ownsDataDir: true,
    ownerPid: process.pid,
  });
  process.env.KAFKA_BROKERS = broker.brokers;
  process.env[TEST_BROKER_STATE_ENV] = stateFile;
  process.stderr.write(
    `\n[kafka] test broker ${broker.brokers} ready in ${Date.now() - started} ms (log: ${broker.logFile})\n`,
  );
}
