/**
 * `npm start` with the demo district on a fresh data directory, for the browser test and the README
 * screenshots: resolves once the demo is loaded (the process logs "demo district loaded").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, pollUntil } from '@app/testing';

const REPO_ROOT = path.resolve(__dirname, '../../../..');

export interface EmbeddedDemo {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM to the process group, wait for the exit, remove the data directory. */
  stop(): Promise<void>;
}

export interface EmbeddedDemoOptions {
  readonly learners: number;
  readonly days: number;
  /** How long the start and the demo load may take (default 180 s). */
  readonly timeoutMs?: number;
}

export async function startEmbeddedDemo(options: EmbeddedDemoOptions): Promise<EmbeddedDemo> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'viewer-demo-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const user = 'leader';
  const password = randomBytes(9).toString('base64url');
  let output = '';
  const child: ChildProcess = spawn('npm', ['start', '--silent'], {
    cwd: REPO_ROOT,
    detached: true, // its own process group, so the stop reaches node behind npm
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      DEMO: 'on',
      DEMO_LEARNERS: String(options.learners),
      DEMO_DAYS: String(options.days),
      XAPI_BOOTSTRAP_CREDENTIAL: `${user}:${password}`,
      LOG_LEVEL: 'info',
    },
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 15_000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await pollUntil(
      () => {
        if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
        if (output.includes('the demo district could not be loaded'))
          throw new Error(`demo failed:\n${output}`);
        return output.includes('"demo district loaded"');
      },
      { timeoutMs: options.timeoutMs ?? 180_000, intervalMs: 250, description: 'the demo district to load' },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, user, password, output: () => output, stop };
}
