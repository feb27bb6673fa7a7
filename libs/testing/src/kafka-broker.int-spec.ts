import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { isProcessAlive, KafkaHarnessError, readBrokerRecord, startKafkaBroker } from './kafka-broker';
import { pollUntil } from './poll';

// startKafkaBroker on its own (the shared test broker is covered by test-broker.int-spec.ts).
jest.setTimeout(120_000);

describe('startKafkaBroker', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'kafka-broker-spec-'));
  });

  afterEach(async () => {
    const record = readBrokerRecord(dataDir);
    if (record?.pid != null && isProcessAlive(record.pid)) process.kill(record.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends the broker when the owning process disappears without stopping it', async () => {
    const owner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const ownerExited = new Promise((resolve) => owner.once('exit', resolve));
    const broker = await startKafkaBroker({
      port: await freePort(),
      dataDir,
      stopWhenProcessExits: owner.pid,
    });
    expect(isProcessAlive(broker.pid)).toBe(true);

    owner.kill('SIGKILL');
    await ownerExited;
    await pollUntil(() => !isProcessAlive(broker.pid), {
      timeoutMs: 30_000,
      description: 'the watchdog to end the orphaned broker',
    });
  });

  it('fails with the broker log when the port is taken', async () => {
    const port = await freePort();
    // Holds the port but drops every connection, so nothing waits on it.
    const squatter: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const start = startKafkaBroker({ port, dataDir, readyTimeoutMs: 60_000 });
      await expect(start).rejects.toThrow(KafkaHarnessError);
      await expect(start).rejects.toThrow(/exited during startup[\s\S]*Address already in use/);
      expect(readBrokerRecord(dataDir)?.pid).toBeNull();
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});
