import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../..');
const REQUIREMENTS = join(REPO_ROOT, 'test/python/requirements.txt');
const VENV = join(REPO_ROOT, '.cache/python-venv');

export interface PythonTools {
  /** The venv's python interpreter. */
  python: string;
  /** The venv's bin directory (schemathesis's `st` lives here). */
  bin: string;
}

/**
 * Creates (once) a virtualenv under .cache/python-venv with the pinned packages of
 * test/python/requirements.txt, reinstalling when that file changes. Safe to call from several test
 * files: the stamp is written only after pip succeeded. Throws with what to install when Python is missing.
 */
export function ensurePythonTools(): PythonTools {
  const python = join(VENV, 'bin/python');
  const bin = join(VENV, 'bin');
  const wanted = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex');
  const stamp = join(VENV, '.requirements.sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return { python, bin };

  try {
    execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `Python 3 with venv is required for these tests (apt-get install -y python3 python3-venv): ${String(error)}`,
    );
  }
  execFileSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 15 * 60_000,
    },
  );
  writeFileSync(stamp, wanted);
  return { python, bin };
}

export interface SchemathesisOptions {
  /** URL of the OpenAPI document, and the base URL its paths are relative to. */
  readonly documentUrl: string;
  readonly baseUrl: string;
  /** `user:password` for HTTP Basic. */
  readonly auth: string;
  readonly checks: readonly string[];
  readonly requestTimeoutSeconds: number;
  /** A schemathesis.toml with per-operation settings, if any. */
  readonly configFile?: string;
  readonly cwd: string;
  readonly timeoutMs: number;
}

/**
 * Runs schemathesis the way every fuzz test here does: examples, coverage and fuzzing phases, a fixed seed
 * (reproducible in CI), one worker (concurrent workers trip a CPython 3.11 ast.parse race inside hypothesis,
 * "AST constructor recursion depth mismatch"), no example database. Resolves with its exit code and output;
 * rejects only when it could not run to completion.
 */
export function runSchemathesis(options: SchemathesisOptions): Promise<{ code: number; output: string }> {
  const { bin } = ensurePythonTools();
  const args = [
    ...(options.configFile === undefined ? [] : ['--config-file', options.configFile]),
    'run',
    options.documentUrl,
    '--url',
    options.baseUrl,
    '--auth',
    options.auth,
    '--checks',
    options.checks.join(','),
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    '10',
    '--seed',
    '20261128',
    '--workers',
    '1',
    '--suppress-health-check',
    'all',
    '--request-timeout',
    String(options.requestTimeoutSeconds),
    '--generation-database',
    'none',
    '--no-color',
  ];
  return new Promise((resolve, reject) => {
    execFile(
      join(bin, 'st'),
      args,
      {
        cwd: options.cwd,
        timeout: options.timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1' },
      },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (error && typeof error.code !== 'number') {
          reject(new Error(`schemathesis did not run to completion: ${error.message}\n${output}`));
          return;
        }
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, output });
      },
    );
  });
}
