import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { chromium } from 'playwright-core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ensureChromium } from '@app/testing';
import { ChdbWarehouse } from '@app/warehouse';

import { ALL_VALUE, expandQuery } from '../../../dashboards/src/macros';
import { loadSimulatedMonth, type SimulatedMonth } from '../../../dashboards/src/testing/simulated-warehouse';
import { DEFAULT_GENERATED_DIR } from './dashboard-catalog';
import { panelIntervalSeconds } from './grafana-interval';
import { visitDashboards } from './testing/dashboard-browser';
import { ViewerModule } from './viewer.module';

const CH = { type: 'grafana-clickhouse-datasource', uid: 'clickhouse' };

/** A dashboard of odd cases the generated ones do not have: a broken query, an empty one, a DDL, a pie. */
function oddCasesDashboard() {
  const panel = (id: number, type: string, rawSql: string, x: number, y: number) => ({
    id,
    type,
    title: `面板 ${id} · Panel ${id}`,
    gridPos: { x, y, w: 12, h: 8 },
    datasource: CH,
    targets: [{ refId: 'A', datasource: CH, editorType: 'sql', format: 1, rawSql }],
  });
  return {
    uid: 'viewer-odd-cases',
    title: '测试 · Odd cases',
    timezone: 'Asia/Shanghai',
    time: { from: 'now-30d', to: 'now' },
    templating: { list: [] },
    panels: [
      panel(
        1,
        'piechart',
        'SELECT source, toUInt32(count()) AS n FROM statements GROUP BY source ORDER BY source',
        0,
        0,
      ),
      panel(2, 'table', 'SELECT * FROM no_such_table', 12, 0),
      panel(3, 'stat', 'SELECT toUInt32(1) AS n WHERE 0', 0, 8),
      panel(4, 'barchart', 'CREATE TABLE viewer_probe (a UInt8) ENGINE = Memory', 12, 8),
      panel(
        5,
        'bargauge',
        'SELECT region, toUInt32(count()) AS n FROM statements WHERE $__timeFilter(timestamp) GROUP BY region ORDER BY region',
        0,
        16,
      ),
      panel(
        6,
        'timeseries',
        'SELECT $__timeInterval(timestamp) AS time, toUInt32(count()) AS n FROM statements WHERE $__timeFilter(timestamp) GROUP BY time ORDER BY time',
        12,
        16,
      ),
      {
        id: 7,
        type: 'timeseries',
        title: '普罗米修斯 · Prometheus',
        gridPos: { x: 0, y: 24, w: 12, h: 8 },
        datasource: { type: 'prometheus', uid: 'prometheus' },
        targets: [{ refId: 'A', expr: 'sum(rate(xapi_statements_accepted_total[5m]))' }],
      },
    ],
  };
}

describe('the viewer module on chdb with a simulated month', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'viewer-int-'));
  const dashboardsDir = mkdtempSync(path.join(tmpdir(), 'viewer-dashboards-'));
  const wh = new ChdbWarehouse(dataDir);
  let month: SimulatedMonth;
  let app: NestFastifyApplication;
  let url: string;
  const auth = { authorization: `Basic ${Buffer.from('reader:pw').toString('base64')}` };

  const post = async <T>(route: string, body: unknown): Promise<{ status: number; json: T }> => {
    const response = await fetch(`${url}${route}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as T };
  };

  beforeAll(async () => {
    month = await loadSimulatedMonth(wh, { learners: 300, days: 30, end: new Date() });
    copyFileSync(path.join(DEFAULT_GENERATED_DIR, 'balance.json'), path.join(dashboardsDir, 'balance.json'));
    writeFileSync(path.join(dashboardsDir, 'odd.json'), JSON.stringify(oddCasesDashboard()));
    app = await NestFactory.create<NestFastifyApplication>(
      await ViewerModule.forRoot({
        warehouse: wh,
        dashboardsDir,
        authenticate: async (user, password) => user === 'reader' && password === 'pw',
      }),
      new FastifyAdapter(),
      { logger: false },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    await wh.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(dashboardsDir, { recursive: true, force: true });
  });

  it('answers a panel with the rows of its SQL expanded as the dashboard tests expand it', async () => {
    const balance = JSON.parse(readFileSync(path.join(dashboardsDir, 'balance.json'), 'utf8')) as {
      panels: { id: number; targets: { rawSql: string }[] }[];
    };
    const from = month.from.getTime();
    const to = month.to.getTime();
    const answer = await post<{ columns: { name: string }[]; rows: unknown[][] }>('/api/panels/query', {
      dashboardUid: 'jlp-balance',
      panelId: 6,
      from,
      to,
      variables: { age_band: ['60-69', '70-79'] },
      maxDataPoints: 800,
    });
    expect(answer.status).toBe(200);
    const sql = expandQuery(balance.panels.find((p) => p.id === 6)!.targets[0].rawSql, {
      from,
      to,
      intervalSeconds: panelIntervalSeconds(from, to, 800),
      // Every filter of this panel sits in $__conditionalAll, so All needs no options here.
      variables: {
        region: ALL_VALUE,
        town: ALL_VALUE,
        point: ALL_VALUE,
        source: ALL_VALUE,
        age_band: ['60-69', '70-79'],
      },
    });
    const direct = await wh.query<Record<string, unknown>>(sql);
    expect(answer.json.rows).toEqual(direct.map((row) => answer.json.columns.map((c) => row[c.name])));
    expect(answer.json.rows.map((r) => r[0])).toEqual(['60–69岁', '70–79岁']);
  });

  it('returns DateTime columns as epoch milliseconds inside the range', async () => {
    const from = month.from.getTime();
    const to = month.to.getTime();
    const answer = await post<{ columns: { type: string }[]; rows: unknown[][] }>('/api/panels/query', {
      dashboardUid: 'viewer-odd-cases',
      panelId: 6,
      from,
      to,
      variables: {},
      maxDataPoints: 30,
    });
    expect(answer.json.columns[0].type).toMatch(/^DateTime/);
    const times = answer.json.rows.map((r) => Number(r[0]));
    expect(times.length).toBeGreaterThan(20);
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(from - 86_400_000);
      expect(t).toBeLessThanOrEqual(to);
    }
  });

  it('reads the dashboard files as they are on disk', async () => {
    const file = path.join(dashboardsDir, 'odd.json');
    const changed = { ...oddCasesDashboard(), title: '改过的 · Changed' };
    writeFileSync(file, JSON.stringify(changed));
    const list = (await (await fetch(`${url}/api/dashboards`, { headers: auth })).json()) as {
      title: string;
    }[];
    expect(list.map((d) => d.title)).toContain('改过的 · Changed');
    writeFileSync(file, JSON.stringify(oddCasesDashboard()));
  });

  it('refuses what is not a SELECT, unknown panels and unknown variables', async () => {
    const range = { from: month.from.getTime(), to: month.to.getTime(), variables: {} };
    const ddl = await post<{ message: string }>('/api/panels/query', {
      ...range,
      dashboardUid: 'viewer-odd-cases',
      panelId: 4,
    });
    expect(ddl).toEqual({
      status: 400,
      json: expect.objectContaining({ message: 'only SELECT queries are run' }),
    });
    expect(await wh.query("SELECT name FROM system.tables WHERE name = 'viewer_probe'")).toEqual([]);
    expect(
      (await post('/api/panels/query', { ...range, dashboardUid: 'viewer-odd-cases', panelId: 99 })).status,
    ).toBe(404);
    expect(
      (await post('/api/variables/options', { ...range, dashboardUid: 'jlp-balance', name: 'nope' })).status,
    ).toBe(404);
    expect((await fetch(`${url}/api/dashboards`)).status).toBe(401);
  });

  it('shows a failing query’s error, says “No data”, and draws pie and bar gauge panels', async () => {
    const [report] = await visitDashboards({
      url: `${url}/`,
      user: 'reader',
      password: 'pw',
      executablePath: ensureChromium(),
      uids: ['viewer-odd-cases'],
    });
    const byId = new Map(report.panels.map((p) => [p.id, p]));
    expect(byId.get(1)).toMatchObject({ type: 'piechart', state: 'data' });
    expect(byId.get(1)!.paintedPixels).toBeGreaterThan(2000);
    expect(byId.get(2)).toMatchObject({ state: 'error', message: expect.stringContaining('no_such_table') });
    expect(byId.get(3)).toMatchObject({ state: 'nodata', message: '无数据 · No data' });
    expect(byId.get(4)).toMatchObject({ state: 'error', message: expect.stringContaining('only SELECT') });
    expect(byId.get(5)).toMatchObject({ type: 'bargauge', state: 'data' });
    expect(byId.get(6)).toMatchObject({ type: 'timeseries', state: 'data' });
    expect(byId.get(6)!.paintedPixels).toBeGreaterThan(2000);
    // Without a metrics history (a viewer beside a ClickHouse server), Prometheus panels say where to look.
    expect(byId.get(7)).toMatchObject({ state: 'unavailable', message: expect.stringContaining('Grafana') });
  });

  it('narrows the panels and the town list when a region is picked in the browser', async () => {
    const browser = await chromium.launch({ executablePath: ensureChromium(), args: ['--no-sandbox'] });
    try {
      const context = await browser.newContext({ httpCredentials: { username: 'reader', password: 'pw' } });
      const page = await context.newPage();
      const towns: string[][] = [];
      page.on('request', (request) => {
        const body = request.postDataJSON() as { name?: string; variables?: { region?: string[] } } | null;
        if (request.url().endsWith('/api/variables/options') && body?.name === 'town')
          towns.push(body.variables?.region ?? []);
      });
      await page.goto(`${url}/dashboards/jlp-balance?from=${month.from.getTime()}&to=${month.to.getTime()}`);
      await page.waitForSelector('body[data-dashboard-state="done"]');
      await page.click('[data-variable="region"] .variable-button');
      await page.getByLabel('西部 · West').check();
      await page.click('h1'); // closing the menu applies the choice
      await page.waitForURL(/var-region=west/);
      await page.waitForSelector('body[data-dashboard-state="done"]');
      // The towns were asked again for the west only, and every panel drew without an error.
      expect(towns.at(-1)).toEqual(['west']);
      const states = await page.$$eval('section.panel', (s) => s.map((p) => p.getAttribute('data-state')));
      expect(states.filter((state) => state === 'error')).toEqual([]);
      const byTown = await page.$$eval('section.panel[data-panel-id="1"] canvas', (c) => c.length);
      expect(byTown).toBe(1);
      expect(await page.textContent('[data-variable="region"] .variable-button')).toBe('西部 · West');
    } finally {
      await browser.close();
    }
  });
});
