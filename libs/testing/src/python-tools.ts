import { execFileSync } from 'node:child_process';
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
