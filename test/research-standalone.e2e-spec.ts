import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pollUntil, runSchemathesis } from '@app/testing';

const ROOT = join(__dirname, '..');
const basic = (pair: string) => ({ authorization: `Basic ${Buffer.from(pair).toString('base64')}` });

/**
 * The research API in the embedded mode: `npm start` mounts /research/v1 and /research/docs on the
 * gateway's port, with researcher credentials of its own (a partner's xAPI credential is not one).
 */
describe('npm start: the research API on the same port', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  let output = '';
  let url = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'research-e2e-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: String(port),
        DEMO: 'off',
        XAPI_BOOTSTRAP_CREDENTIAL: 'partner:partner-secret',
        RESEARCH_BOOTSTRAP_CREDENTIAL: 'researcher:research-secret',
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
      { timeoutMs: 90_000, intervalMs: 250, description: 'npm start answers /health' },
    );
  });
  afterAll(() => {
    if (child && child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves metrics to a researcher and refuses the partner credential', async () => {
    const path = '/research/v1/metrics/engagement?from=2026-11-01&to=2026-11-30&groupBy=town';
    const asResearcher = await fetch(`${url}${path}`, { headers: basic('researcher:research-secret') });
    expect(asResearcher.status).toBe(200);
    expect(await asResearcher.json()).toMatchObject({
      metric: 'engagement',
      k: 10,
      effective: { from: '2026-11-01' },
    });
    const asPartner = await fetch(`${url}${path}`, { headers: basic('partner:partner-secret') });
    expect(asPartner.status).toBe(401);
    expect(asPartner.headers.get('www-authenticate')).toBe('Basic realm="research"');
    // And the researcher is no xAPI partner.
    const xapi = await fetch(`${url}/xapi/statements`, {
      headers: { ...basic('researcher:research-secret'), 'x-experience-api-version': '1.0.3' },
    });
    expect(xapi.status).toBe(401);
  });

  it('publishes the OpenAPI document and a Swagger UI page served from local files', async () => {
    const document = (await (await fetch(`${url}/research/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/metrics/engagement',
        '/studies/{studyId}/extracts',
        '/audit',
        '/learners/{learnerId}',
      ]),
    );
    expect(Object.keys(document.components.schemas.StudyRequest.properties ?? {})).toEqual([
      'title',
      'purpose',
      'approvedFields',
      'window',
    ]);
    const page = await (await fetch(`${url}/research/docs`)).text();
    expect(page).toContain('/research/docs/assets/swagger-ui-bundle.js');
    expect(page).not.toMatch(/https?:\/\//);
    const bundle = await fetch(`${url}/research/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    const init = await (await fetch(`${url}/research/docs/assets/research-docs-init.js`)).text();
    expect(init).toContain('/research/v1/openapi.json');
    expect((await fetch(`${url}/research/docs/assets/package.json`)).status).toBe(404);
  });

  it('answers every request schemathesis generates from the document without a 5xx or an undocumented answer', async () => {
    const run = await runSchemathesis({
      documentUrl: `${url}/research/v1/openapi.json`,
      baseUrl: `${url}/research/v1`,
      auth: 'researcher:research-secret',
      checks: [
        'not_a_server_error',
        'status_code_conformance',
        'content_type_conformance',
        'response_headers_conformance',
        'response_schema_conformance',
        'negative_data_rejection',
        'ignored_auth',
      ],
      requestTimeoutSeconds: 20,
      cwd: dataDir,
      timeoutMs: 300_000,
    });
    if (run.code !== 0)
      throw new Error(`schemathesis found problems (exit ${run.code}):\n${run.output.slice(-40_000)}`);
    expect(run.output).toMatch(/Tested: 12\b/);
    expect(Number(/(\d+) generated/.exec(run.output)?.[1] ?? 0)).toBeGreaterThan(300);
  });
});
