import { randomBytes } from 'node:crypto';
import type { CredentialStore } from '@app/lrs';
import type { JsonLogger } from '@app/observability';
import type { ReferenceIndex } from '@app/reference';
import {
  chinaDateOf,
  formatSendReport,
  hasFailures,
  sendSimulation,
  simulateDistrict,
  type BasicCredential,
  type SimulationCredentials,
} from '@app/simulator';
import type { Warehouse } from '@app/warehouse';
import { z } from 'zod';

/** True when the store has neither statements nor learners: the first start on a data directory. */
export async function isEmptyStore(warehouse: Warehouse): Promise<boolean> {
  const [row] = await warehouse.query(
    'SELECT (SELECT count() FROM statements) + (SELECT count() FROM dim_learners) AS n',
    {},
    z.object({ n: z.coerce.number() }),
  );
  return row.n === 0;
}

/**
 * Loads a simulated demo district through this process's own HTTP API, as a client would, with one
 * credential per source so the dashboards tell portal, app, classroom and partner apart. The credentials
 * are made up for this run and exist only in memory.
 */
export async function loadDemoDistrict(options: {
  url: string;
  credentials: CredentialStore;
  reference: ReferenceIndex;
  logger: JsonLogger;
  learners: number;
  days: number;
  seed: number;
  /** Runs the scheduled views now, so the skill panels show the demo at once rather than after a minute. */
  refreshViews: () => Promise<void>;
}): Promise<void> {
  const { credentials, logger } = options;
  const make = async (
    key: string,
    sourceType: 'portal' | 'app' | 'classroom' | 'partner',
    scopes: ('statements/write' | 'registry/write')[],
  ): Promise<BasicCredential> => {
    const secret = randomBytes(12).toString('base64url');
    await credentials.addWithSecret({ key, sourceType, scopes }, secret);
    return { key, secret };
  };
  const demoCredentials: SimulationCredentials = {
    registry: await make('demo-registry', 'partner', ['registry/write']),
    portal: await make('demo-portal', 'portal', ['statements/write']),
    app: await make('demo-app', 'app', ['statements/write']),
    partner: await make('demo-partner', 'partner', ['statements/write']),
    classroom: await make('demo-kiosks', 'classroom', ['statements/write']),
  };
  // The simulated days end yesterday in China (attendance sheets may not be dated in the future).
  const today = Date.parse(`${chinaDateOf(new Date())}T00:00:00+08:00`);
  const start = new Date(today - options.days * 86_400_000);
  const sim = simulateDistrict({
    seed: options.seed,
    learners: options.learners,
    days: options.days,
    start,
    reference: options.reference,
  });
  logger.event('info', 'loading the demo district', {
    learners: sim.learners.length,
    statements: sim.statements.length,
    sheets: sim.classroomSheets.length,
    from: chinaDateOf(start),
  });
  const started = Date.now();
  let lastLog = 0;
  const report = await sendSimulation(sim, {
    target: options.url,
    credentials: demoCredentials,
    onProgress: ({ phase, done, total }) => {
      if (Date.now() - lastLog < 5000 && done < total) return;
      lastLog = Date.now();
      logger.event('info', `demo: ${phase} ${done}/${total}`);
    },
  });
  await options.refreshViews();
  logger.event(hasFailures(report) ? 'warn' : 'info', 'demo district loaded', {
    seconds: Math.round((Date.now() - started) / 1000),
    summary: formatSendReport(report),
  });
}
