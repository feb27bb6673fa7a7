/**
 * Part 3 of `npm run bench`: freshness, the time from a statement's acknowledgement until the aggregates
 * count it, under a steady background load.
 *
 * Runs as its own process (`runFreshness` spawns this file): the whole pipeline is started in-process here
 * (startStandalone, exactly what `npm start` runs), because the embedded chdb store can only be queried
 * from the process that opened it. Marker statements, each from an actor of its own, go in through HTTP
 * beside the open-loop background load; a poller asks the `learner_channels` aggregate (fed by a
 * materialized view on `statements`) every `pollMs` which markers it counts. Freshness = first poll that
 * saw the marker − the marker's acknowledgement (resolution: the poll interval).
 * The background load comes from a process of its own (open-loop-process.ts): in this one its HTTP client
 * would take the JavaScript thread the Kafka mode's consumers share with the server.
 */
import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '@app/config';
import { standaloneEnvSchema } from '../apps/standalone/src/standalone.config';
import { startStandalone } from '../apps/standalone/src/standalone.app';
import { figure, percentile, type Figure, type Target } from './figures';
import { runChildScript } from './child-script';
import { runOpenLoopStepInChild } from './open-loop-process';
import { BENCH_CREDENTIAL } from './server-process';
import { pollUntil } from '@app/testing';

const FreshnessArgsSchema = z.object({
  mode: z.enum(['embedded', 'kafka']),
  brokers: z.string().optional(),
  /** Background load, statements/s, in POSTs of `batch`. */
  loadRate: z.number().positive(),
  batch: z.number().int().positive(),
  runs: z.number().int().positive(),
  seconds: z.number().positive(),
  warmupSeconds: z.number().nonnegative(),
  markersPerSecond: z.number().positive(),
  pollMs: z.number().positive(),
});
export type FreshnessArgs = z.infer<typeof FreshnessArgsSchema>;

const FreshnessOutputSchema = z.object({
  runs: z.array(z.object({ ms: z.array(z.number()), missing: z.number(), loadAcked: z.number() })),
});
type FreshnessOutput = z.infer<typeof FreshnessOutputSchema>;

const RESULT_PREFIX = 'FRESHNESS_RESULT ';
const FRESHNESS_TARGET: Target = { kind: 'max', value: 5_000, label: 'freshness p95 ≤ 5 s' };

/** The aggregates' learner key of an actor the registry does not know (see migration 0004). */
const learnerKeyOf = (mbox: string): string =>
  `actor:${createHash('sha256').update(`mbox:${mbox}`).digest('hex')}`;

async function child(args: FreshnessArgs): Promise<FreshnessOutput> {
  const dataDir = mkdtempSync(join(tmpdir(), `bench-freshness-${args.mode}-`));
  const suffix = `${process.pid}-${Date.now()}`;
  const env = loadConfig(standaloneEnvSchema, {
    PORT: '0',
    DATA_DIR: dataDir,
    DEMO: 'off',
    LOG_LEVEL: 'warn',
    XAPI_BOOTSTRAP_CREDENTIAL: `${BENCH_CREDENTIAL.key}:${BENCH_CREDENTIAL.secret}`,
    XAPI_RATE_LIMIT_PER_SECOND: '10000000',
    TRANSPORT: args.mode === 'kafka' ? 'kafka' : 'inprocess',
    ...(args.mode === 'kafka'
      ? {
          KAFKA_BROKERS: args.brokers ?? '',
          ENRICHER_GROUP_ID: `bench-fresh-enricher-${suffix}`,
          SINK_GROUP_ID: `bench-fresh-sink-${suffix}`,
        }
      : {}),
  });
  const running = await startStandalone(env);
  const authorization = `Basic ${Buffer.from(`${BENCH_CREDENTIAL.key}:${BENCH_CREDENTIAL.secret}`).toString('base64')}`;
  const pending = new Map<string, number>(); // learner key → ack time
  let acknowledged = 0;
  const postMarker = async (): Promise<void> => {
    const mbox = `mailto:marker-${randomUUID()}@bench.example`;
    const response = await fetch(`${running.url}/xapi/statements`, {
      method: 'POST',
      headers: { authorization, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' },
      body: JSON.stringify({
        actor: { mbox },
        verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } },
        object: { id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/1' },
      }),
    });
    await response.text();
    if (response.status !== 200) throw new Error(`marker answered ${response.status}`);
    pending.set(learnerKeyOf(mbox), performance.now());
  };

  const measureRun = async (seconds: number): Promise<FreshnessOutput['runs'][number]> => {
    const seen: number[] = [];
    const load = runOpenLoopStepInChild({
      url: running.url,
      authorization,
      rate: args.loadRate,
      batch: args.batch,
      seconds,
      corpusSize: 2_000,
      corpusSeed: 'freshness',
    });
    const markerEnd = performance.now() + seconds * 1000;
    const markers = (async () => {
      while (performance.now() < markerEnd) {
        const next = performance.now() + 1000 / args.markersPerSecond;
        await postMarker();
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
      }
    })();
    let markersDone = false;
    void markers.then(() => (markersDone = true));
    const giveUp = () => performance.now() > markerEnd + GIVE_UP_MS;
    while (!(markersDone && pending.size === 0) && !giveUp()) {
      if (pending.size > 0) {
        const keys = [...pending.keys()];
        const rows = await running.warehouse.query<{ learner_key: string }>(
          `SELECT DISTINCT learner_key FROM learner_channels WHERE learner_key IN (${keys.map((k) => `'${k}'`).join(',')})`,
        );
        const now = performance.now();
        for (const { learner_key: key } of rows) {
          const ackedAt = pending.get(key);
          if (ackedAt !== undefined) {
            seen.push(now - ackedAt);
            pending.delete(key);
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, args.pollMs));
    }
    await markers;
    const loadResult = await load;
    if (loadResult.failedRequests > 0) {
      throw new Error(`background load: ${loadResult.failedRequests} failed: ${loadResult.firstFailure}`);
    }
    const missing = pending.size;
    pending.clear();
    acknowledged += loadResult.ackedStatements + seen.length + missing;
    // The next run starts without a backlog, so runs do not inherit each other's lag.
    await pollUntil(
      async () => {
        const [row] = await running.warehouse.query<{ n: string }>('SELECT count() AS n FROM statements');
        return Number(row.n) >= acknowledged;
      },
      { timeoutMs: 300_000, intervalMs: 100, description: 'the sink caught up between freshness runs' },
    );
    return { ms: seen, missing, loadAcked: loadResult.ackedStatements };
  };

  try {
    if (args.warmupSeconds > 0) await measureRun(args.warmupSeconds);
    const runs: FreshnessOutput['runs'] = [];
    for (let run = 0; run < args.runs; run++) runs.push(await measureRun(args.seconds));
    return { runs };
  } finally {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** How long after the last marker a run waits for the stragglers. */
const GIVE_UP_MS = 60_000;

/** Spawns this file as a child process and turns its runs into figures. */
export async function runFreshness(args: FreshnessArgs, log: (line: string) => void): Promise<Figure[]> {
  const output = FreshnessOutputSchema.parse(
    await runChildScript(__filename, [JSON.stringify(args)], RESULT_PREFIX),
  );
  // A marker not counted GIVE_UP_MS after the last marker was sent waited at least that long: it enters the
  // percentiles as GIVE_UP_MS, a lower bound, so a pipeline that falls behind shows as a miss, not a crash.
  // (The child already checked that every acknowledged statement reached the statements table.)
  for (const [i, run] of output.runs.entries()) {
    if (run.missing > 0)
      log(
        `  ${args.mode} run ${i + 1}: ${run.missing} markers not counted within ${GIVE_UP_MS / 1000} s (taken as ${GIVE_UP_MS / 1000} s, a lower bound)`,
      );
    run.ms.push(...Array<number>(run.missing).fill(GIVE_UP_MS));
  }
  for (const [i, run] of output.runs.entries()) {
    log(
      `  ${args.mode} run ${i + 1}: ${run.ms.length} markers, p50 ${percentile(run.ms, 0.5).toFixed(0)} ms, ` +
        `p95 ${percentile(run.ms, 0.95).toFixed(0)} ms (background ${run.loadAcked} statements)`,
    );
  }
  const at = `${args.mode}, background ${Math.round(args.loadRate)}/s in POSTs of ${args.batch}`;
  return [
    figure(
      `freshness p50, ${at}`,
      'ms',
      output.runs.map((run) => percentile(run.ms, 0.5)),
    ),
    figure(
      `freshness p95, ${at}`,
      'ms',
      output.runs.map((run) => percentile(run.ms, 0.95)),
      { target: FRESHNESS_TARGET, note: `ack → counted in learner_channels, polled every ${args.pollMs} ms` },
    ),
  ];
}

if (require.main === module) {
  const args = FreshnessArgsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  child(args).then(
    (output) => {
      process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(output)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
