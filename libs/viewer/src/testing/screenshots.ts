/**
 * `npm run screenshots`: starts the embedded mode with the demo district (a month, 1,500 learners),
 * opens every dashboard in headless Chromium, prints how long each took to draw, and saves the skill and
 * balance dashboards as docs/images/dashboard-<name>.png for the README.
 */
import * as path from 'node:path';
import { ensureChromium } from '@app/testing';

import { formatReports, visitDashboards } from './dashboard-browser';
import { startEmbeddedDemo } from './embedded-demo';

const IMAGES = path.resolve(__dirname, '../../../../docs/images');
const FOR_README: Readonly<Record<string, string>> = {
  'jlp-skill': 'dashboard-skill',
  'jlp-balance': 'dashboard-balance',
};

async function main(): Promise<void> {
  const executablePath = ensureChromium();
  const learners = Number(process.env.DEMO_LEARNERS ?? 1500);
  process.stdout.write(`starting the embedded mode with ${learners} demo learners over 30 days…\n`);
  const demo = await startEmbeddedDemo({ learners, days: 30 });
  try {
    const common = { url: `${demo.url}/`, user: demo.user, password: demo.password, executablePath };
    // Every dashboard once for the timings, then the README's two again (warm, as a reader sees them).
    const all = await visitDashboards(common);
    process.stdout.write(`${formatReports(all)}\n`);
    const shots = await visitDashboards({
      ...common,
      uids: Object.keys(FOR_README),
      screenshotDir: IMAGES,
      screenshotName: (uid) => FOR_README[uid] ?? uid,
      viewport: { width: 1440, height: 900 },
    });
    for (const shot of shots)
      process.stdout.write(`wrote ${path.relative(process.cwd(), shot.screenshot ?? '')}\n`);
  } finally {
    await demo.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
