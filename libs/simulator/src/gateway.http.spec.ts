import type { AddressInfo } from 'node:net';
import { CredentialStore, hashSecret } from '@app/lrs/credentials';
import { TEST_SCRYPT, startLrsTestApp, testReference, type LrsTestApp } from '@app/lrs/testing/lrs-test-app';
import type { ReferenceIndex } from '@app/reference';
import { sendSimulation, type SimulationCredentials } from './sender';
import { simulateDistrict } from './simulate';
import type { Simulation } from './types';

/**
 * The simulator against the gateway's own HTTP module (@app/lrs: auth, validation, rate limit, attendance
 * sheets) with an in-memory producer instead of Kafka. The registry is another module and is not mounted
 * here, so its phase is skipped.
 */

const SOURCES = ['portal', 'app', 'partner', 'classroom'] as const;

let reference: ReferenceIndex;
let lrs: LrsTestApp;
let target: string;
let sim: Simulation;

beforeAll(async () => {
  reference = await testReference();
  const credentials = new CredentialStore({ reference });
  credentials.addAll({
    credentials: await Promise.all(
      SOURCES.map(async (source) => ({
        key: `sim-${source}`,
        secretHash: await hashSecret(`${source}-secret`, TEST_SCRYPT),
        source,
        scopes: ['statements/write' as const],
      })),
    ),
  });
  // A small bucket so that the real limiter answers 429 with Retry-After and the sender has to wait.
  lrs = await startLrsTestApp({ credentials, rateLimit: { statementsPerSecond: 600, burst: 200 } });
  await lrs.app.listen(0, '127.0.0.1');
  target = `http://127.0.0.1:${(lrs.app.getHttpServer().address() as AddressInfo).port}`;
  sim = simulateDistrict({
    seed: 'gateway',
    learners: 150,
    days: 21,
    start: new Date('2026-10-01T00:00:00+08:00'),
    reference,
  });
});

afterAll(async () => {
  await lrs?.close();
});

const credentials: SimulationCredentials = {
  registry: { key: 'unused', secret: 'unused' },
  portal: { key: 'sim-portal', secret: 'portal-secret' },
  app: { key: 'sim-app', secret: 'app-secret' },
  partner: { key: 'sim-partner', secret: 'partner-secret' },
  classroom: { key: 'sim-classroom', secret: 'classroom-secret' },
};

describe('the simulation through the gateway HTTP module', () => {
  it('is accepted in full, sheets included, and sending it again stores nothing new', async () => {
    const rows = sim.classroomSheets.reduce((n, s) => n + s.rows.length, 0);
    expect(rows).toBeGreaterThan(0);
    const first = await sendSimulation(sim, {
      target,
      credentials,
      batchSize: 200,
      concurrency: 4,
      phases: { registry: false },
    });
    expect(first.statements.errors).toEqual([]);
    expect(first.statements.acknowledged).toBe(sim.statements.length);
    expect(first.statements.retries).toBeGreaterThan(0); // the limiter's 429s were waited out
    expect(first.sheets.rejections).toEqual([]);
    expect(first.sheets).toMatchObject({ failed: 0, rowsStored: rows, rowsRejected: 0 });
    const produced = lrs.producer.sent.length;
    expect(produced).toBe(sim.statements.length + rows);

    const again = await sendSimulation(sim, {
      target,
      credentials,
      batchSize: 200,
      concurrency: 4,
      phases: { registry: false },
    });
    expect(again.statements.acknowledged).toBe(sim.statements.length);
    expect(again.sheets).toMatchObject({ rowsStored: 0, rowsAlreadyStored: rows, rowsRejected: 0 });
    expect(lrs.producer.sent.length).toBe(produced);
  });
});
