/**
 * Part 2 of `npm run bench`: sustained ingest through HTTP → ClickHouse against a running server child.
 *
 * For each batch size: a warm-up step, then `runs` open-loop ramps. A ramp offers a fixed rate for a step,
 * raises it by `factor` while the server keeps up, then bisects between the last rate kept up and the first
 * missed; its result is the last rate kept up. "Kept up": every request answered 200, p99 acknowledgement
 * latency (from the scheduled send time) under the ceiling, and the sink has every acknowledged statement in
 * ClickHouse within a grace period after the step (in embedded mode the acknowledgement already means that).
 * Then `runs` steps at half the median maximum give the acknowledgement latency, the CPU-seconds per 1,000
 * statements of the server (and of the broker's JVM in Kafka mode) and, at the end, the server's peak memory.
 */
import { pollUntil } from '@app/testing';
import { figure, median, type Figure, type Target } from './figures';
import { runOpenLoopStep, type StepResult } from './open-loop';
import { processUsage, type RunningServer } from './server-process';

export interface IngestOptions {
  readonly server: RunningServer;
  /** The broker's JVM (Kafka mode), measured separately. */
  readonly brokerPid?: number;
  readonly tails: readonly string[];
  readonly batches: readonly number[];
  readonly runs: number;
  readonly stepSeconds: number;
  readonly warmupSeconds: number;
  /** First offered rate of the first ramp, per batch size. */
  readonly startRate: (batch: number) => number;
  readonly factor: number;
  /** Bisection steps after the first miss. */
  readonly refine: number;
  /** Most steps of one ramp before it stops raising (smoke runs). */
  readonly maxRampSteps: number;
  readonly latencyCeilingMs: number;
  readonly log: (line: string) => void;
}

export interface IngestOutcome {
  readonly figures: Figure[];
  readonly steps: (StepResult & { keptUp: boolean; reason?: string; phase: string })[];
  /** Median maximum sustained rate per batch size (for the freshness part's load). */
  readonly maxRates: Record<number, number>;
}

const THROUGHPUT_TARGETS: Record<string, Target> = {
  'kafka/50': { kind: 'min', value: 10_000, label: '≥ 10,000/s through Kafka, batched POSTs' },
  'kafka/1': { kind: 'min', value: 3_000, label: '≥ 3,000/s through Kafka, one statement per POST' },
};
const ACK_P99_TARGET: Target = { kind: 'max', value: 25, label: 'ack p99 ≤ 25 ms at half load' };
const MEMORY_TARGET: Target = { kind: 'max', value: 4 * 1024, label: 'embedded process ≤ 4 GB' };

export async function measureIngest(options: IngestOptions): Promise<IngestOutcome> {
  const { server, log } = options;
  const steps: IngestOutcome['steps'] = [];
  const figures: Figure[] = [];
  const maxRates: Record<number, number> = {};
  let expectedRows = await server.rowsWritten();

  /** Waits until the sink has written every acknowledged statement; false after `timeoutMs`. */
  const caughtUp = async (timeoutMs: number): Promise<boolean> => {
    try {
      await pollUntil(async () => (await server.rowsWritten()) >= expectedRows, {
        timeoutMs,
        intervalMs: 50,
        description: 'sink caught up',
      });
      return true;
    } catch {
      return false;
    }
  };

  const step = async (phase: string, rate: number, batch: number, seconds: number) => {
    const result = await runOpenLoopStep({
      url: server.url,
      authorization: server.authorization,
      rate,
      batch,
      seconds,
      tails: options.tails,
      drainTimeoutMs: 120_000,
    });
    expectedRows += result.ackedStatements;
    const graceMs = Math.max(2_000, seconds * 300);
    const sinkKeptUp = await caughtUp(graceMs);
    let reason: string | undefined;
    if (result.failedRequests > 0)
      reason = `${result.failedRequests} requests failed: ${result.firstFailure}`;
    else if (result.overflowed) reason = 'backlog overflowed';
    else if (result.p99Ms > options.latencyCeilingMs) reason = `p99 ${Math.round(result.p99Ms)} ms`;
    else if (!sinkKeptUp) reason = `sink ${expectedRows - (await server.rowsWritten())} rows behind`;
    // Whatever happened, the next step starts from an empty backlog.
    if (!sinkKeptUp && !(await caughtUp(300_000))) throw new Error('the sink did not catch up in 5 minutes');
    const keptUp = reason === undefined;
    steps.push({ ...result, keptUp, phase, ...(reason ? { reason } : {}) });
    log(
      `  ${server.mode} batch ${batch} ${phase}: offered ${Math.round(rate)}/s → acked ${Math.round(result.ackedRate)}/s, ` +
        `p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms${keptUp ? '' : ` ✗ ${reason}`}`,
    );
    return { result, keptUp };
  };

  for (const batch of options.batches) {
    const key = `${server.mode}/${batch}`;
    if (options.warmupSeconds > 0) {
      await step('warm-up', options.startRate(batch) / 2, batch, options.warmupSeconds);
    }
    const maxima: number[] = [];
    let start = options.startRate(batch);
    for (let run = 0; run < options.runs; run++) {
      let lastOk = 0;
      let firstMiss = Infinity;
      let rate = start;
      for (let i = 0; i < options.maxRampSteps; i++) {
        const { keptUp } = await step(`ramp ${run + 1}`, rate, batch, options.stepSeconds);
        if (keptUp) {
          lastOk = rate;
          if (firstMiss !== Infinity) break;
          rate *= options.factor;
        } else {
          firstMiss = rate;
          if (lastOk > 0) break;
          rate /= options.factor; // the first step missed: come down until one keeps up
          if (rate < batch) break;
        }
      }
      for (let i = 0; i < options.refine && lastOk > 0 && firstMiss !== Infinity; i++) {
        const mid = Math.sqrt(lastOk * firstMiss);
        const { keptUp } = await step(`ramp ${run + 1} refine`, mid, batch, options.stepSeconds);
        if (keptUp) lastOk = mid;
        else firstMiss = mid;
      }
      maxima.push(lastOk);
      // Later ramps start below the last maximum with finer steps.
      if (lastOk > 0) start = lastOk * 0.7;
    }
    const maxRate = median(maxima);
    maxRates[batch] = maxRate;
    figures.push(
      figure(`max sustained rate, ${server.mode}, ${batch} per POST`, 'statements/s', maxima, {
        target: THROUGHPUT_TARGETS[key],
        note: 'last open-loop step that kept up (all 200, p99 under the ceiling, sink caught up)',
      }),
    );
    if (maxRate === 0) continue;

    const half = maxRate / 2;
    const p50s: number[] = [];
    const p99s: number[] = [];
    const serverCpu: number[] = [];
    const mainThreadCpu: number[] = [];
    const brokerCpu: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      const before = server.usage();
      const brokerBefore = options.brokerPid ? processUsage(options.brokerPid) : undefined;
      const { result } = await step(`half load ${run + 1}`, half, batch, options.stepSeconds);
      const after = server.usage();
      p50s.push(result.p50Ms);
      p99s.push(result.p99Ms);
      const thousands = Math.max(1, result.ackedStatements) / 1000;
      serverCpu.push((after.cpuSeconds - before.cpuSeconds) / thousands);
      mainThreadCpu.push((after.mainThreadCpuSeconds - before.mainThreadCpuSeconds) / thousands);
      if (options.brokerPid && brokerBefore) {
        brokerCpu.push((processUsage(options.brokerPid).cpuSeconds - brokerBefore.cpuSeconds) / thousands);
      }
    }
    const at = `${server.mode}, ${batch} per POST, at ${Math.round(half)}/s`;
    figures.push(
      figure(`ack p50, ${at}`, 'ms', p50s),
      figure(`ack p99, ${at}`, 'ms', p99s, { target: ACK_P99_TARGET }),
      figure(`server CPU per 1,000 statements, ${at}`, 'CPU-s', serverCpu),
      figure(`of which the JavaScript main thread, ${at}`, 'CPU-s', mainThreadCpu, {
        note: 'one core bounds it: 1 ÷ this × 1,000 is the rate at which the event loop saturates',
      }),
    );
    if (brokerCpu.length > 0) {
      figures.push(figure(`broker JVM CPU per 1,000 statements, ${at}`, 'CPU-s', brokerCpu));
    }
  }
  const peakMiB = server.usage().peakRssBytes / 2 ** 20;
  figures.push(
    figure(`peak memory (VmHWM) of the ${server.mode} server`, 'MiB', [peakMiB], {
      ...(server.mode === 'embedded' ? { target: MEMORY_TARGET } : {}),
      note: 'over every step of this mode, including the steps above the maximum',
    }),
  );
  if (options.brokerPid) {
    figures.push(
      figure('peak memory (VmHWM) of the broker JVM', 'MiB', [
        processUsage(options.brokerPid).peakRssBytes / 2 ** 20,
      ]),
    );
  }
  return { figures, steps, maxRates };
}
