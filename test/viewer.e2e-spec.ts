import * as path from 'node:path';
import { ensureChromium } from '@app/testing';
import { startEmbeddedDemo, type EmbeddedDemo } from '@app/viewer/testing/embedded-demo';
import { visitDashboards, formatReports, type DashboardReport } from '@app/viewer/testing/dashboard-browser';

const ARTIFACTS = path.join(__dirname, 'artifacts', 'viewer');

interface PanelJson {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string };
}

/**
 * The embedded mode as a college leader sees it: `npm start` with the demo district (a simulated month),
 * every dashboard opened in headless Chromium with the credential the banner prints, every panel drawn.
 */
describe('dashboards in the browser (embedded mode)', () => {
  let demo: EmbeddedDemo;
  let chromium: string;
  let reports: DashboardReport[];
  const auth = () => ({
    authorization: `Basic ${Buffer.from(`${demo.user}:${demo.password}`).toString('base64')}`,
  });
  const api = async <T>(route: string, body?: unknown): Promise<{ status: number; json: T }> => {
    const response = await fetch(`${demo.url}${route}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as T };
  };

  beforeAll(async () => {
    chromium = ensureChromium();
    demo = await startEmbeddedDemo({ learners: 500, days: 30 });
  }, 240_000);

  afterAll(async () => {
    await demo?.stop();
  });

  it('prints the dashboards URL in the banner and asks for a credential', async () => {
    expect(demo.output()).toContain(`dashboards ${demo.url}/`);
    const anonymous = await fetch(`${demo.url}/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const wrong = await fetch(`${demo.url}/api/dashboards`, {
      headers: { authorization: `Basic ${Buffer.from(`${demo.user}:wrong`).toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    const page = await fetch(`${demo.url}/`, { headers: auth() });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/viewer/assets/viewer.js');
  });

  it('runs only the SQL of the dashboard file, with values from the variables’ options', async () => {
    const to = Date.now();
    const from = to - 30 * 86_400_000;
    const base = { dashboardUid: 'jlp-balance', panelId: 1, from, to, variables: {} };
    const ok = await api<{ rows: unknown[] }>('/api/panels/query', base);
    expect(ok.status).toBe(200);
    expect(ok.json.rows.length).toBeGreaterThan(0);
    // No SQL from the client: the body schema is strict.
    expect((await api('/api/panels/query', { ...base, rawSql: 'SELECT 1' })).status).toBe(400);
    // A value that is not one of the variable's options is refused (no injection through values).
    const injected = await api<{ message: string }>('/api/panels/query', {
      ...base,
      variables: { region: ["east') OR 1=1 --"] },
    });
    expect(injected.status).toBe(400);
    expect(injected.json.message).toContain('$region');
    // A query variable's options come from its SQL and follow the variables before it.
    const range = { dashboardUid: 'jlp-balance', from, to, variables: {} };
    const towns = await api<{ options: unknown[] }>('/api/variables/options', { ...range, name: 'town' });
    const west = await api<{ options: unknown[] }>('/api/variables/options', {
      ...range,
      name: 'town',
      variables: { region: ['west'] },
    });
    expect(towns.json.options).toHaveLength(19);
    expect(west.json.options.length).toBeGreaterThan(0);
    expect(west.json.options.length).toBeLessThan(19);
  });

  it('draws every dashboard in under 2 s, every panel with data or saying why not', async () => {
    reports = await visitDashboards({
      url: `${demo.url}/`,
      user: demo.user,
      password: demo.password,
      executablePath: chromium,
      screenshotDir: ARTIFACTS,
    });
    process.stdout.write(`${formatReports(reports)}\n`);
    const listed = await api<{ uid: string }[]>('/api/dashboards');
    expect(reports.map((r) => r.uid).sort()).toEqual(listed.json.map((d) => d.uid).sort());

    const to = Date.now();
    for (const report of reports) {
      expect(report.renderMs).toBeLessThan(2000);
      expect(report.screenshot).toBeDefined();
      const dashboard = await api<{ panels: PanelJson[]; time: { from: string } }>(
        `/api/dashboards/${report.uid}`,
      );
      expect(report.panels.map((p) => p.id)).toEqual(dashboard.json.panels.map((p) => p.id));
      for (const panel of dashboard.json.panels) {
        const shown = report.panels.find((p) => p.id === panel.id)!;
        const label = `${report.uid} / ${panel.title}: ${shown.state} ${shown.message}`;
        expect({ label, error: shown.state === 'error' }).toEqual({ label, error: false });
        // The same query through the API (default range of the dashboard): rows → drawn, none → "No data".
        // Prometheus panels too: the embedded mode answers them from its own metrics, sampled in memory.
        const days = Number(/now-(\d+)d/.exec(dashboard.json.time.from)?.[1] ?? 0);
        const hours = Number(/now-(\d+)h/.exec(dashboard.json.time.from)?.[1] ?? 0);
        const from = to - days * 86_400_000 - hours * 3_600_000;
        const result = await api<{ rows: unknown[] }>('/api/panels/query', {
          dashboardUid: report.uid,
          panelId: panel.id,
          from,
          to,
          variables: {},
        });
        // A rate over the process's own metrics, sampled every few seconds, depends on the resolution the
        // browser asked for (its panel width) and on when the samples fell: only "no error" is asserted.
        if (panel.datasource?.type === 'prometheus') continue;
        if (result.json.rows.length === 0) {
          expect({ label, state: shown.state, message: shown.message }).toEqual({
            label,
            state: 'nodata',
            message: '无数据 · No data',
          });
          continue;
        }
        expect({ label, state: shown.state }).toEqual({ label, state: 'data' });
        if (panel.type === 'table') expect(shown.tableRows).toBe(result.json.rows.length);
        else if (panel.type === 'stat') expect(shown.statValues.every((v) => /\d/.test(v))).toBe(true);
        else expect(shown.paintedPixels).toBeGreaterThan(2000);
      }
    }
  });

  it('fills every panel of the skill, balance and overview dashboards from the demo month', () => {
    for (const uid of ['jlp-skill', 'jlp-balance', 'jlp-overview']) {
      const report = reports.find((r) => r.uid === uid)!;
      expect(report.panels.filter((p) => p.state !== 'data').map((p) => `${p.title}: ${p.state}`)).toEqual(
        [],
      );
    }
    // Pipeline health: freshness and stored statements (the Prometheus-rate panels depend on sampling times).
    // The demo sends nothing the gateway rejects and no poison message, so those panels say "No data".
    const health = reports.find((r) => r.uid === 'jlp-pipeline-health')!;
    const drawn = health.panels.filter((p) => p.state === 'data').map((p) => p.title.split(' · ')[0]);
    expect(drawn).toEqual(expect.arrayContaining(['数据新鲜度', '入库记录(按来源)']));
  });
});
