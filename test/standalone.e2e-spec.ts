import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pollUntil } from '@app/testing';
import { ChdbWarehouse, WarehouseConfigError, engagementBreakdown, skillFunnel } from '@app/warehouse';

const ROOT = join(__dirname, '..');

/**
 * The embedded mode as a user starts it: `npm start` on an empty data directory, a learner registered and
 * a statement POSTed over HTTP, and the statement counted in the aggregates with the learner's place and
 * demographics. The store is read after the process stopped (chdb: one process per data directory).
 */
describe('npm start (embedded mode)', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'standalone-e2e-'));
  });
  afterAll(() => {
    if (child && child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('accepts a statement over HTTP and counts it in the aggregates', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      detached: true, // its own process group, so the stop reaches node behind npm
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: String(port),
        DEMO: 'off',
        XAPI_BOOTSTRAP_CREDENTIAL: 'e2e:secret-for-the-test',
        LOG_LEVEL: 'warn',
      },
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await pollUntil(
      async () => {
        if (child?.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
        return (await fetch(`${url}/health`)).status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'npm start answers /health' },
    );
    expect(output).toContain(`${url}/xapi/statements`);

    const auth = { authorization: `Basic ${Buffer.from('e2e:secret-for-the-test').toString('base64')}` };
    const registered = await fetch(`${url}/registry/learners/L900001`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        identities: ['mbox:mailto:liu.ayi@example.org'],
        birthYear: 1955,
        gender: 'female',
        homeTownId: 'T01',
        homeLearningPointId: 'LP002',
      }),
    });
    expect(registered.status).toBe(200);

    const statement = {
      actor: { mbox: 'mailto:liu.ayi@example.org', name: '刘阿姨' },
      verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'zh-CN': '完成' } },
      object: { id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/2' },
      result: { completion: true, duration: 'PT45M' },
      context: { extensions: { 'https://learn.jlp.cq.cn/xapi/extensions/learning-point': 'LP001' } },
      timestamp: '2026-11-20T10:15:00+08:00',
    };
    const posted = await fetch(`${url}/xapi/statements`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-experience-api-version': '1.0.3' },
      body: JSON.stringify(statement),
    });
    expect(posted.status).toBe(200);
    expect(posted.headers.get('x-experience-api-version')).toBe('1.0.3');
    const [id] = (await posted.json()) as string[];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    // Graceful stop (SIGTERM to the group), then read the store it left.
    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    process.kill(-(child.pid as number), 'SIGTERM');
    await exited;

    // npm exits as soon as its child got the signal; node may still be closing the store, which chdb lets
    // only one process hold: open it once that process has let go.
    const warehouse = await pollUntil(
      async () => {
        try {
          return new ChdbWarehouse(join(dataDir, 'clickhouse'));
        } catch (error) {
          if (error instanceof WarehouseConfigError) return undefined;
          throw error;
        }
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'the stopped process releases its store' },
    );
    try {
      const rows = await engagementBreakdown(warehouse, {
        from: '2026-11-20',
        to: '2026-11-20',
        by: ['town', 'region', 'learning_point_id', 'age_band', 'gender', 'home_town', 'verb_category'],
      });
      expect(rows).toEqual([
        expect.objectContaining({
          town: 'T01',
          region: 'west',
          learning_point_id: 'LP001',
          age_band: '70-79',
          gender: 'female',
          home_town: 'T01',
          verb_category: 'completed',
          statement_count: 1,
          learner_count: 1,
          time_spent_seconds: 2700,
        }),
      ]);
      const funnel = await skillFunnel(warehouse, { from: '2026-11-01', to: '2026-11-30' });
      expect(funnel.find((f) => f.skill_id === 'computer-operation')).toMatchObject({
        attempted: 1,
        completed: 1,
      });
    } finally {
      await warehouse.close();
    }
  });
});
