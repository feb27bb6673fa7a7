import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReferenceIndex } from '@app/reference';
import {
  SimulationConfigError,
  TargetUnreachableError,
  parseRetryAfter,
  sendSimulation,
  type SimulationCredentials,
} from './sender';
import { simulateDistrict } from './simulate';
import type { Simulation } from './types';

/** A stand-in for the gateway on 127.0.0.1 that records every request and answers as the test says. */
interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly at: number;
}
type Answer = { status: number; headers?: Record<string, string>; body?: string };

class RecordingServer {
  readonly requests: Recorded[] = [];
  answer: (request: Recorded, index: number) => Answer = (request) => defaultAnswer(request);
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const recorded: Recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: performance.now(),
        };
        this.requests.push(recorded);
        const answer = this.answer(recorded, this.requests.length - 1);
        res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
        res.end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function defaultAnswer(request: Recorded): Answer {
  if (request.method === 'PUT') return { status: 200, body: '{}' };
  if (request.url === '/xapi/statements') {
    const ids = (JSON.parse(request.body) as { id: string }[]).map((s) => s.id);
    return { status: 200, body: JSON.stringify(ids) };
  }
  const rows = request.body.trim().split(/\r?\n/).length - 1;
  return {
    status: 200,
    body: JSON.stringify({ accepted: [], rejected: [], stored: rows, alreadyStored: 0 }),
  };
}

const cred = (key: string) => ({ key, secret: `${key}-secret` });
const basicOf = (key: string) => `Basic ${Buffer.from(`${key}:${key}-secret`).toString('base64')}`;

let reference: ReferenceIndex;
let sim: Simulation;
let server: RecordingServer;

beforeAll(async () => {
  reference = await ReferenceIndex.load();
  sim = simulateDistrict({
    seed: 'sender',
    learners: 120,
    days: 21,
    start: new Date('2026-10-01T00:00:00+08:00'),
    reference,
  });
});

beforeEach(async () => {
  server = new RecordingServer();
  await server.start();
});

afterEach(async () => {
  await server.stop();
});

function credentials(): SimulationCredentials {
  const byPoint: Record<string, { key: string; secret: string }> = {};
  for (const point of reference.data.learningPoints) byPoint[point.id] = cred(`kiosk-${point.id}`);
  return {
    registry: cred('admin'),
    portal: cred('portal'),
    app: cred('app'),
    partner: cred('partner'),
    classroom: { byPoint },
  };
}

describe('sendSimulation', () => {
  it('PUTs the registry first, then batches statements per credential, then uploads the sheets late', async () => {
    expect(sim.classroomSheets.length).toBeGreaterThan(0);
    const report = await sendSimulation(sim, {
      target: server.url,
      credentials: credentials(),
      batchSize: 25,
      concurrency: 4,
    });

    const puts = server.requests.filter((r) => r.method === 'PUT');
    const posts = server.requests.filter((r) => r.url === '/xapi/statements');
    const sheets = server.requests.filter((r) => r.url === '/xapi/classroom/attendance');
    expect(puts).toHaveLength(sim.learners.length);
    expect(server.requests).toHaveLength(puts.length + posts.length + sheets.length);
    // Order of phases: every PUT before the first statement, every statement before the first sheet.
    expect(Math.max(...puts.map((r) => r.at))).toBeLessThan(Math.min(...posts.map((r) => r.at)));
    expect(Math.max(...posts.map((r) => r.at))).toBeLessThan(Math.min(...sheets.map((r) => r.at)));

    const first = sim.learners[0];
    const put = puts.find((r) => r.url === `/registry/learners/${first.id}`)!;
    expect(put.headers.authorization).toBe(basicOf('admin'));
    expect(put.headers['content-type']).toBe('application/json');
    expect(JSON.parse(put.body)).toEqual({
      identities: first.identities,
      birthYear: first.birthYear,
      gender: first.gender,
      homeTownId: first.homeTownId,
      homeLearningPointId: first.homeLearningPointId,
    });

    const routed = new Map(sim.statements.map((s) => [s.statement.id, s]));
    const received: string[] = [];
    for (const post of posts) {
      expect(post.headers['x-experience-api-version']).toBe('1.0.3');
      expect(post.headers['content-type']).toBe('application/json');
      const batch = JSON.parse(post.body) as { id: string }[];
      expect(Array.isArray(batch)).toBe(true);
      expect(batch.length).toBeGreaterThan(0);
      expect(batch.length).toBeLessThanOrEqual(25);
      for (const statement of batch) {
        const s = routed.get(statement.id)!;
        const expected = s.source === 'classroom' ? `kiosk-${s.learningPointId}` : s.source;
        expect(post.headers.authorization).toBe(basicOf(expected));
        received.push(statement.id);
      }
    }
    expect(received.sort()).toEqual(sim.statements.map((s) => s.statement.id).sort());

    for (const sheet of sheets) {
      expect(sheet.headers['content-type']).toBe('text/csv; charset=utf-8');
      const original = sim.classroomSheets.find((s) => s.csv === sheet.body)!;
      expect(original).toBeDefined();
      expect(sheet.headers.authorization).toBe(basicOf(`kiosk-${original.learningPointId}`));
    }
    expect(sheets).toHaveLength(sim.classroomSheets.length);

    expect(report.registry).toMatchObject({
      learners: sim.learners.length,
      failed: 0,
      succeeded: puts.length,
    });
    expect(report.statements).toMatchObject({
      statements: sim.statements.length,
      acknowledged: sim.statements.length,
      batches: posts.length,
      failed: 0,
      retries: 0,
    });
    expect(report.sheets.rowsStored).toBe(report.sheets.rows);
    expect(report.statements.latencyMs.p99).toBeGreaterThanOrEqual(report.statements.latencyMs.p50);
  });

  it('waits as long as Retry-After says after a 429, then sends the batch again', async () => {
    let refused = false;
    server.answer = (request) => {
      if (request.url === '/xapi/statements' && !refused) {
        refused = true;
        return { status: 429, headers: { 'Retry-After': '1' }, body: '{"error":"rate limited"}' };
      }
      return defaultAnswer(request);
    };
    const report = await sendSimulation(sim, {
      target: server.url,
      credentials: credentials(),
      batchSize: 1000,
      concurrency: 1,
      phases: { registry: false, sheets: false },
    });
    const posts = server.requests.filter((r) => r.url === '/xapi/statements');
    expect(posts[1].body).toBe(posts[0].body);
    expect(posts[1].at - posts[0].at).toBeGreaterThanOrEqual(950);
    expect(report.statements).toMatchObject({ retries: 1, failed: 0, acknowledged: sim.statements.length });
    expect(report.statements.responses['429']).toBe(1);
  });

  it('backs off and retries after a 503, and reports other 4xx answers with their body without retrying', async () => {
    let calls = 0;
    server.answer = (request) => {
      if (request.url !== '/xapi/statements') return defaultAnswer(request);
      calls++;
      if (calls === 1) return { status: 503, body: '{"error":"unavailable"}' };
      if (calls === 2) return { status: 400, body: '{"error":"bad statement at [3].actor"}' };
      return defaultAnswer(request);
    };
    const report = await sendSimulation(sim, {
      target: server.url,
      credentials: credentials(),
      batchSize: 50,
      concurrency: 1,
      backoffMs: 20,
      phases: { registry: false, sheets: false },
    });
    const posts = server.requests.filter((r) => r.url === '/xapi/statements');
    expect(posts[1].body).toBe(posts[0].body); // the 503 was retried
    expect(posts[2].body).not.toBe(posts[1].body); // the 400 was not
    expect(report.statements.retries).toBe(1);
    expect(report.statements.errorsByStatus).toEqual({ '400': 1 });
    expect(report.statements.errors[0]).toMatchObject({
      status: 400,
      body: '{"error":"bad statement at [3].actor"}',
    });
    const failedBatch = (JSON.parse(posts[1].body) as unknown[]).length;
    expect(report.statements.acknowledged).toBe(sim.statements.length - failedBatch);
  });

  it('keeps to an open-loop rate', async () => {
    const rate = 4000;
    const report = await sendSimulation(sim, {
      target: server.url,
      credentials: credentials(),
      rate,
      batchSize: 20,
      phases: { registry: false, sheets: false },
    });
    const posts = server.requests.filter((r) => r.url === '/xapi/statements');
    const lastBatch = (JSON.parse(posts[posts.length - 1].body) as unknown[]).length;
    const scheduledSpanMs = ((sim.statements.length - lastBatch) / rate) * 1000;
    expect(posts[posts.length - 1].at - posts[0].at).toBeGreaterThanOrEqual(scheduledSpanMs * 0.9);
    expect(report.statements.targetRate).toBe(rate);
    expect(report.statements.achievedRate).toBeLessThan(rate * 1.5);
  });

  it('refuses to start when a classroom point has no credential', async () => {
    await expect(
      sendSimulation(sim, {
        target: server.url,
        credentials: { ...credentials(), classroom: { byPoint: {} } },
      }),
    ).rejects.toThrow(SimulationConfigError);
    expect(server.requests).toHaveLength(0);
  });

  it('gives up with TargetUnreachableError when nothing answers, in every phase', async () => {
    await server.stop();
    const options = {
      target: server.url,
      credentials: credentials(),
      maxAttempts: 2,
      backoffMs: 5,
      concurrency: 2,
    };
    await expect(sendSimulation(sim, options)).rejects.toThrow(TargetUnreachableError);
    await expect(
      sendSimulation(sim, { ...options, phases: { registry: false, sheets: false } }),
    ).rejects.toThrow(/did not answer 3 requests in a row/);
    await expect(
      sendSimulation(sim, { ...options, phases: { registry: false, statements: false } }),
    ).rejects.toThrow(TargetUnreachableError);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 00:00:10 GMT', Date.parse('2026-11-29T00:00:00Z'))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
