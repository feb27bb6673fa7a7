/**
 * `npm start` as a child process, so its CPU time and memory are its own: read from /proc/<pid>/stat
 * (utime + stime) and /proc/<pid>/status (VmHWM, VmRSS). The same for the Kafka broker's JVM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pollUntil } from '@app/testing';

const REPO = join(__dirname, '..');
/** Clock ticks per second of /proc/<pid>/stat; 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

export const BENCH_CREDENTIAL = { key: 'bench', secret: 'bench-secret' };

export interface ProcessUsage {
  /** User + system CPU seconds since the process started. */
  readonly cpuSeconds: number;
  /**
   * Of those, the main thread's (/proc/<pid>/task/<pid>/stat): for a Node process the JavaScript event loop,
   * which one core bounds; the rest is chdb's engine threads, libuv's pool and V8's helpers.
   */
  readonly mainThreadCpuSeconds: number;
  /** Peak resident memory (VmHWM), bytes. */
  readonly peakRssBytes: number;
  readonly rssBytes: number;
}

export function processUsage(pid: number): ProcessUsage {
  const cpuSeconds = cpuSecondsOf(`/proc/${pid}/stat`);
  const mainThreadCpuSeconds = cpuSecondsOf(`/proc/${pid}/task/${pid}/stat`);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpuSeconds, mainThreadCpuSeconds, peakRssBytes: kb('VmHWM') * 1024, rssBytes: kb('VmRSS') * 1024 };
}

function cpuSecondsOf(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8');
  // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

export interface ServerOptions {
  readonly mode: 'embedded' | 'kafka';
  /** Required for mode kafka. */
  readonly brokers?: string;
  /** Run with --cpu-prof, writing the profile into this directory when the server stops. */
  readonly cpuProfileDir?: string;
  /** Extra environment (overrides). */
  readonly env?: Record<string, string>;
}

export interface RunningServer {
  readonly url: string;
  readonly pid: number;
  readonly mode: 'embedded' | 'kafka';
  readonly authorization: string;
  usage(): ProcessUsage;
  /** A counter or gauge summed over its label sets, from /metrics. */
  metric(name: string, labelFilter?: string): Promise<number>;
  /** Rows the sink has written to `statements`. */
  rowsWritten(): Promise<number>;
  stop(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `bench-${options.mode}-`));
  const groupSuffix = `${process.pid}-${Date.now()}`;
  const nodeArgs = ['-r', '@swc-node/register'];
  if (options.cpuProfileDir) {
    mkdirSync(options.cpuProfileDir, { recursive: true });
    nodeArgs.push(
      '--cpu-prof',
      '--cpu-prof-dir',
      options.cpuProfileDir,
      '--cpu-prof-name',
      `${options.mode}-server.cpuprofile`,
    );
  }
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, join(REPO, 'apps/standalone/src/main.ts')],
    {
      cwd: REPO,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DEMO: 'off',
        LOG_LEVEL: 'warn',
        XAPI_BOOTSTRAP_CREDENTIAL: `${BENCH_CREDENTIAL.key}:${BENCH_CREDENTIAL.secret}`,
        // The bench measures the pipeline, not the per-credential limiter.
        XAPI_RATE_LIMIT_PER_SECOND: '10000000',
        XAPI_BODY_LIMIT_BYTES: String(16 * 1024 * 1024),
        TRANSPORT: options.mode === 'kafka' ? 'kafka' : 'inprocess',
        ...(options.mode === 'kafka'
          ? {
              KAFKA_BROKERS: options.brokers ?? '',
              ENRICHER_GROUP_ID: `bench-enricher-${groupSuffix}`,
              SINK_GROUP_ID: `bench-sink-${groupSuffix}`,
            }
          : {}),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | string | null = null;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = code ?? signal ?? 'unknown';
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const stopNow = async (): Promise<void> => {
    if (exited === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exit;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await pollUntil(
      async () => {
        if (exited !== null) throw new Error(`the ${options.mode} server exited (${exited}):\n${output}`);
        try {
          return (await fetch(`${url}/health`)).status === 200;
        } catch {
          return false;
        }
      },
      { timeoutMs: 120_000, intervalMs: 100, description: `${options.mode} server healthy` },
    );
  } catch (error) {
    await stopNow();
    throw error;
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('server child has no pid');

  const metric = async (name: string, labelFilter = ''): Promise<number> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
        if (labelFilter && !line.includes(labelFilter)) continue;
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  };
  return {
    url,
    pid,
    mode: options.mode,
    authorization: `Basic ${Buffer.from(`${BENCH_CREDENTIAL.key}:${BENCH_CREDENTIAL.secret}`).toString('base64')}`,
    usage: () => processUsage(pid),
    metric,
    rowsWritten: () => metric('warehouse_rows_written_total', 'table="statements"'),
    stop: stopNow,
  };
}
