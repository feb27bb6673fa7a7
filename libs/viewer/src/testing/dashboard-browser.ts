/**
 * Opens the viewer's dashboards in headless Chromium (playwright-core, Debian's /usr/bin/chromium) and
 * reports what every panel shows. Used by test/viewer.e2e-spec.ts and by `npm run screenshots`.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export interface PanelReport {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  /** loading | data | nodata | error | unavailable (the panel's data-state). */
  readonly state: string;
  /** Canvas pixels that are not transparent (0 without a chart). */
  readonly paintedPixels: number;
  readonly tableRows: number;
  readonly statValues: readonly string[];
  readonly message: string;
}

export interface DashboardReport {
  readonly uid: string;
  readonly title: string;
  /** The page's own measure: first panel query sent → every panel drawn. */
  readonly renderMs: number;
  /** Navigation start → every panel drawn (page, script, dashboard JSON, all panels). */
  readonly sinceNavigationMs: number;
  readonly panels: readonly PanelReport[];
  readonly screenshot?: string;
}

export interface VisitOptions {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly executablePath: string;
  /** Save `<name>.png` of each dashboard here. */
  readonly screenshotDir?: string;
  /** File name per dashboard uid; default the uid. */
  readonly screenshotName?: (uid: string) => string;
  /** Only these dashboards; default every dashboard the list page links to. */
  readonly uids?: readonly string[];
  readonly viewport?: { readonly width: number; readonly height: number };
  readonly timeoutMs?: number;
}

async function panelReports(page: Page): Promise<PanelReport[]> {
  return page.$$eval('section.panel', (sections) =>
    sections.map((section) => {
      const canvas = section.querySelector('canvas');
      let paintedPixels = 0;
      if (canvas !== null && canvas.width > 0 && canvas.height > 0) {
        const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; data !== undefined && i < data.length; i += 4) if (data[i] > 0) paintedPixels++;
      }
      const element = section as unknown as { dataset: Record<string, string | undefined> };
      return {
        id: Number(element.dataset.panelId),
        type: element.dataset.panelType ?? '',
        title: section.querySelector('h2')?.textContent ?? '',
        state: element.dataset.state ?? '',
        paintedPixels,
        tableRows: section.querySelectorAll('table tbody tr').length,
        statValues: [...section.querySelectorAll('.stat-value')].map((v) => v.textContent ?? ''),
        message: section.querySelector('.panel-message')?.textContent ?? '',
      };
    }),
  );
}

/** Visits the list page, then each dashboard, waiting until every panel has settled. */
export async function visitDashboards(options: VisitOptions): Promise<DashboardReport[]> {
  const timeout = options.timeoutMs ?? 30_000;
  const browser: Browser = await chromium.launch({
    executablePath: options.executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const context = await browser.newContext({
      httpCredentials: { username: options.user, password: options.password },
      viewport: options.viewport ?? { width: 1600, height: 1000 },
      deviceScaleFactor: 1,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    const page = await context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(options.url, { timeout });
    await page.waitForSelector('.dashboard-list a', { timeout });
    const linked = await page.$$eval('.dashboard-list a', (links) =>
      links.map((a) =>
        decodeURIComponent((a as unknown as { pathname: string }).pathname.split('/').pop() ?? ''),
      ),
    );
    const uids = options.uids ?? linked;
    const reports: DashboardReport[] = [];
    for (const uid of uids) {
      await page.goto(`${options.url.replace(/\/$/, '')}/dashboards/${encodeURIComponent(uid)}`, { timeout });
      await page.waitForSelector('body[data-dashboard-state="done"]', { timeout });
      const dataset = await page.$eval('body', (body) => ({
        ...(body as unknown as { dataset: Record<string, string | undefined> }).dataset,
      }));
      let screenshot: string | undefined;
      if (options.screenshotDir !== undefined) {
        mkdirSync(options.screenshotDir, { recursive: true });
        screenshot = path.join(options.screenshotDir, `${(options.screenshotName ?? ((u) => u))(uid)}.png`);
        await page.screenshot({ path: screenshot, fullPage: true });
      }
      reports.push({
        uid,
        title: await page.title(),
        renderMs: Number(dataset.renderMs),
        sinceNavigationMs: Number(dataset.sinceNavigationMs),
        panels: await panelReports(page),
        ...(screenshot !== undefined && { screenshot }),
      });
    }
    if (failures.length > 0) throw new Error(`the page threw: ${failures.join('; ')}`);
    return reports;
  } finally {
    await browser.close();
  }
}

export function formatReports(reports: readonly DashboardReport[]): string {
  return reports
    .map(
      (r) =>
        `${r.title} (${r.uid}): rendered in ${r.renderMs} ms, ${r.sinceNavigationMs} ms from navigation; ` +
        r.panels.map((p) => `${p.id}:${p.type}=${p.state}`).join(' '),
    )
    .join('\n');
}
