import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pollUntil, runSchemathesis } from '@app/testing';

const ROOT = join(__dirname, '..');

/**
 * What must hold for every generated request; a failure of any of them fails the test. Besides "no 5xx" and
 * "every response matches the document": schema-violating requests are refused, a missing required header
 * is refused, and no route with a security requirement answers without credentials.
 */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'missing_required_header',
  'ignored_auth',
];

/**
 * The coverage phase walks every keyword of a schema; for the Statement body that is ~6,600 requests for
 * POST alone (a minute on two cores). The write routes get seeded fuzzing with more examples instead; every
 * other route keeps its coverage phase (GET /xapi/statements: ~500 parameter combinations).
 */
const SCHEMATHESIS_TOML = `
[[operations]]
include-name = ["POST /xapi/statements", "PUT /xapi/statements"]
phases.coverage.enabled = false
generation.max-examples = 40

# POST ?method=… (alternate request syntax) may carry its credentials in the form, so a malformed one is
# refused with 400 before any authentication; "no Authorization header must give 401" does not hold there.
[[operations]]
include-name = "POST /xapi/statements"
checks.missing_required_header.enabled = false
`;

/**
 * Bad input found by a fuzzer rather than imagined: schemathesis generates requests from the gateway's own
 * OpenAPI document (examples, then the deterministic coverage phase with boundary and negative values, then
 * seeded random fuzzing) against the embedded app on an empty store. No request may produce a 5xx, an
 * undocumented status, content type or header, or a body that breaks the document.
 */
describe('OpenAPI document, fuzzed by schemathesis', () => {
  let workDir: string;
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'openapi-fuzz-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.pid) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    rmSync(workDir, { recursive: true, force: true });
  });

  it('finds no server error and no response that breaks the document', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const credential = `fuzz:${randomBytes(12).toString('hex')}`;
    child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/standalone/src/main.ts'], {
      cwd: ROOT,
      detached: true, // its own process group, so the stop reaches every child
      env: {
        ...process.env,
        DATA_DIR: join(workDir, 'data'),
        PORT: String(port),
        DEMO: 'off',
        XAPI_BOOTSTRAP_CREDENTIAL: credential,
        LOG_LEVEL: 'warn',
      },
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exitedEarly = new Promise<never>((_, reject) =>
      child?.once('exit', (code) => reject(new Error(`the app exited early (${code}):\n${output}`))),
    );
    await Promise.race([
      exitedEarly,
      pollUntil(async () => (await fetch(`${url}/health`)).status === 200, {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: 'the embedded app answers /health',
      }),
    ]);
    exitedEarly.catch(() => undefined);
    const document = (await (await fetch(`${url}/xapi/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.values(document.paths).flatMap((item) =>
      Object.keys(item).filter((key) => ['get', 'head', 'put', 'post', 'delete'].includes(key)),
    ).length;

    const config = join(workDir, 'schemathesis.toml');
    writeFileSync(config, SCHEMATHESIS_TOML);
    const run = await runSchemathesis({
      configFile: config,
      documentUrl: `${url}/xapi/openapi.json`,
      baseUrl: url,
      auth: credential,
      checks: CHECKS,
      requestTimeoutSeconds: 10,
      cwd: workDir,
      timeoutMs: 240_000,
    });

    if (run.code !== 0) {
      const report = run.output.length > 60_000 ? `…${run.output.slice(-60_000)}` : run.output;
      throw new Error(
        `schemathesis found problems (exit ${run.code}):\n${report}\n--- app log (end) ---\n${output.slice(-20_000)}`,
      );
    }
    // It really ran: every operation but the document's own GET was selected and tested.
    const selected = /Selected: (\d+)\/(\d+)/.exec(run.output);
    expect(Number(selected?.[2])).toBe(operations - 1);
    expect(run.output).toMatch(new RegExp(`Tested: ${selected?.[1]}\\b`));
    const generated = Number(/(\d+) generated/.exec(run.output)?.[1] ?? 0);
    expect(generated).toBeGreaterThan(1000);
  });
});
