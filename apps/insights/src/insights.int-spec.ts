import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig } from '@app/config';
import { freePort, pollUntil, testKafkaBrokers } from '@app/testing';

import { insightsAppEnvSchema } from './insights.config';

const ROOT = join(__dirname, '../../..');
const basic = (pair: string) => ({ authorization: `Basic ${Buffer.from(pair).toString('base64')}` });

describe('apps/insights (the research API as its own service)', () => {
  it('refuses to start without researcher credentials, naming the variables', () => {
    expect(() =>
      loadConfig(insightsAppEnvSchema, { CLICKHOUSE_URL: 'http://127.0.0.1:8123', KAFKA_BROKERS: 'k:9092' }),
    ).toThrow(/RESEARCH_CREDENTIALS_FILE or RESEARCH_BOOTSTRAP_CREDENTIAL/);
  });

  describe('started as main.ts', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'insights-app-'));
    let child: ChildProcess | undefined;
    let output = '';
    let url = '';

    beforeAll(async () => {
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/insights/src/main.ts'], {
        cwd: ROOT,
        detached: true,
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          // chdb here (no server on this machine); the compose file runs it on the ClickHouse server.
          WAREHOUSE: 'chdb',
          DATA_DIR: dataDir,
          WAREHOUSE_MIGRATE: 'true',
          KAFKA_BROKERS: testKafkaBrokers().join(','),
          RESEARCH_BOOTSTRAP_CREDENTIAL: 'researcher:research-secret',
          LOG_LEVEL: 'warn',
        },
      });
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await pollUntil(
        async () => {
          if (child?.exitCode !== null) throw new Error(`apps/insights exited early:\n${output}`);
          return (await fetch(`${url}/health`).catch(() => undefined))?.status === 200;
        },
        { timeoutMs: 60_000, intervalMs: 250, description: 'apps/insights answers /health' },
      );
    });
    afterAll(async () => {
      if (child && child.exitCode === null && child.pid) {
        const exited = new Promise((resolve) => child?.once('exit', resolve));
        process.kill(-child.pid, 'SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('serves the research API, its document and its page, and stops cleanly on SIGTERM', async () => {
      const metrics = await fetch(
        `${url}/research/v1/metrics/skills?from=2024-03-01&to=2024-03-31&groupBy=skill`,
        {
          headers: basic('researcher:research-secret'),
        },
      );
      expect(metrics.status).toBe(200);
      // No sink has recorded watermarks: nothing can be called closed, so nothing is published.
      expect(await metrics.json()).toMatchObject({
        metric: 'skills',
        cells: [],
        closedThrough: null,
        openPeriods: ['2024-03-01'],
      });
      expect((await fetch(`${url}/research/v1/openapi.json`)).status).toBe(200);
      expect((await fetch(`${url}/research/docs`)).status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(200);
      // Without a sink there are no watermarks: an extract cannot be cut consistently yet.
      const auth = { ...basic('researcher:research-secret'), 'content-type': 'application/json' };
      const study = await fetch(`${url}/research/v1/studies`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          title: 't',
          purpose: 'p',
          approvedFields: ['day'],
          window: { from: '2024-03-01', to: '2024-03-31' },
        }),
      });
      expect(study.status).toBe(201);
      const { studyId } = (await study.json()) as { studyId: string };
      const extract = await fetch(`${url}/research/v1/studies/${studyId}/extracts`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ format: 'csv' }),
      });
      expect(extract.status).toBe(503);
      expect(await extract.json()).toMatchObject({ error: expect.stringMatching(/watermark/) });

      const running = child;
      if (!running?.pid) throw new Error('apps/insights is not running');
      const exited = new Promise<number | null>((resolve) => running.once('exit', (code) => resolve(code)));
      process.kill(-running.pid, 'SIGTERM');
      expect(await exited).toBe(0);
    });
  });
});
