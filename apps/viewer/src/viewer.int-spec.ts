import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@app/config';
import { loadReferenceData } from '@app/reference';
import { ChdbWarehouse, loadReferenceDimensions, runMigrations } from '@app/warehouse';

import { startViewer, type RunningViewer } from './viewer.app';
import { viewerEnvSchema } from './viewer.config';

describe('apps/viewer (the viewer beside a ClickHouse server)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'viewer-app-'));
  const wh = new ChdbWarehouse(dataDir);
  let viewer: RunningViewer;
  const reader = { authorization: `Basic ${Buffer.from('reader:pw').toString('base64')}` };

  beforeAll(async () => {
    await runMigrations(wh);
    await loadReferenceDimensions(wh, await loadReferenceData());
    const env = loadConfig(viewerEnvSchema, {
      CLICKHOUSE_URL: 'http://clickhouse:8123',
      VIEWER_CREDENTIAL: 'reader:pw',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
    });
    // The same host on the embedded engine: no ClickHouse server runs here.
    viewer = await startViewer(env, wh);
  }, 60_000);

  afterAll(async () => {
    await viewer?.close();
    await wh.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('needs a reader credential in its environment', () => {
    expect(() => loadConfig(viewerEnvSchema, { CLICKHOUSE_URL: 'http://clickhouse:8123' })).toThrow(
      /CREDENTIALS_FILE/,
    );
  });

  it('serves health without and the dashboards with the reader credential', async () => {
    expect((await fetch(`${viewer.url}/health`)).status).toBe(200);
    expect((await fetch(`${viewer.url}/`)).status).toBe(401);
    const list = await fetch(`${viewer.url}/api/dashboards`, { headers: reader });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { uid: string }[]).map((d) => d.uid)).toContain('jlp-overview');
    const to = Date.now();
    const towns = await fetch(`${viewer.url}/api/panels/query`, {
      method: 'POST',
      headers: { ...reader, 'content-type': 'application/json' },
      body: JSON.stringify({
        dashboardUid: 'jlp-overview',
        panelId: 3,
        from: to - 86_400_000,
        to,
        variables: {},
      }),
    });
    expect(towns.status).toBe(200);
    expect(((await towns.json()) as { rows: unknown[] }).rows).toHaveLength(19);
  });
});
