import { rmSync } from 'node:fs';
import { stopKafkaBroker } from './kafka-broker';
import { readTestBrokerState, TEST_BROKER_STATE_ENV } from './test-broker';

/** Stops the broker global setup started (whatever pid it has after test restarts) and removes its data. */
export default async function globalTeardown(): Promise<void> {
  if (!process.env[TEST_BROKER_STATE_ENV]) return;
  const state = readTestBrokerState();
  // A crash-style stop is enough: the data dir is thrown away.
  await stopKafkaBroker(state.dataDir, { signal: 'SIGKILL' });
  if (state.ownsDataDir && !process.env.KAFKA_KEEP_TEST_DATA) {
    rmSync(state.dataDir, { recursive: true, force: true });
  }
  delete process.env[TEST_BROKER_STATE_ENV];
  delete process.env.KAFKA_BROKERS;
}
