import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { startKafkaBroker } from './kafka-broker';

export interface IsolatedKafka {
  readonly brokers: string;
  stop(): Promise<void>;
}

/**
 * A broker of this test file's own. Tests that run whole services consume the registry's topics from the
 * beginning; on the shared test broker they would also process (and race with) other files' messages.
 */
export async function startIsolatedKafka(): Promise<IsolatedKafka> {
  const dataDir = mkdtempSync(join(tmpdir(), 'xapi-kafka-isolated-'));
  const broker = await startKafkaBroker({
    port: await freePort(),
    dataDir,
    fastStart: true,
    stopWhenProcessExits: process.pid,
  });
  return {
    brokers: broker.brokers,
    stop: async () => {
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
