/**
 * Open-loop HTTP load: requests leave on a fixed schedule whether or not earlier ones were answered, and
 * each latency is measured from the request's scheduled time (so a server that falls behind shows it in
 * the latencies instead of slowing the load down, the "coordinated omission" of closed-loop tools such as
 * bench/http-load.ts).
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { percentile } from './figures';

export interface StepOptions {
  readonly url: string;
  readonly authorization: string;
  /** Offered statements per second. */
  readonly rate: number;
  /** Statements per POST (1: a single statement object, otherwise an array). */
  readonly batch: number;
  readonly seconds: number;
  /** Compact JSON of statements without their `id`, cycled; each send gets a fresh id. */
  readonly tails: readonly string[];
  /** Give up scheduling when this many requests are unanswered (the backlog is growing without bound). */
  readonly maxInFlight?: number;
  /** How long to wait for the last answers after the schedule ends. */
  readonly drainTimeoutMs?: number;
}

export interface StepResult {
  readonly offeredRate: number;
  readonly batch: number;
  readonly scheduledRequests: number;
  readonly sentRequests: number;
  readonly answeredRequests: number;
  readonly failedRequests: number;
  readonly ackedStatements: number;
  /** Acknowledged statements per second over the step (first schedule slot to last answer). */
  readonly ackedRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Scheduling stopped early because maxInFlight requests were unanswered. */
  readonly overflowed: boolean;
  /** CPU-seconds this process (the load generator) spent during the step: the server shares the cores. */
  readonly clientCpuSeconds: number;
  readonly firstFailure?: string;
}

/** Builds a body from id-less statement tails: `{"id":"…",<tail>` for each statement. */
export function bodyOf(tails: readonly string[], from: number, batch: number): string {
  const one = (i: number): string => `{"id":"${randomUUID()}",${tails[i % tails.length]}`;
  if (batch === 1) return one(from);
  const parts: string[] = [];
  for (let i = 0; i < batch; i++) parts.push(one(from + i));
  return `[${parts.join(',')}]`;
}

/** Statements → tails for bodyOf: their JSON without the opening brace. */
export function tailsOf(statements: readonly object[]): string[] {
  return statements.map((statement) => {
    const json = JSON.stringify(statement);
    if (json === '{}') throw new Error('empty statement in the bench corpus');
    return json.slice(1);
  });
}

export async function runOpenLoopStep(options: StepOptions): Promise<StepResult> {
  const { rate, batch, seconds } = options;
  const interval = (batch / rate) * 1000;
  const scheduledRequests = Math.max(1, Math.floor((seconds * 1000) / interval));
  const maxInFlight = options.maxInFlight ?? 5_000;
  const target = new URL('/xapi/statements', options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: batch === 1 ? 256 : 64 });
  const latencies: number[] = [];
  let sent = 0;
  let answered = 0;
  let failed = 0;
  let acked = 0;
  let firstFailure: string | undefined;
  let lastAnswer = 0;
  let overflowed = false;
  let resolveDone: () => void = () => undefined;
  const allAnswered = new Promise<void>((resolve) => (resolveDone = resolve));

  const send = (scheduledAt: number): void => {
    const body = bodyOf(options.tails, sent * batch, batch);
    sent += 1;
    const finish = (ok: boolean, why?: string): void => {
      const now = performance.now();
      answered += 1;
      lastAnswer = now;
      latencies.push(now - scheduledAt);
      if (ok) acked += batch;
      else {
        failed += 1;
        firstFailure ??= why;
      }
      if (answered === sent && (sent === scheduledRequests || overflowed)) resolveDone();
    };
    const req = request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: options.authorization,
          'x-experience-api-version': '1.0.3',
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < 500) text += chunk;
        });
        res.on('end', () => finish(res.statusCode === 200, `HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
      },
    );
    req.on('error', (error) => finish(false, error.message));
    req.end(body);
  };

  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  await new Promise<void>((resolveSchedule) => {
    const tick = (): void => {
      const now = performance.now();
      // Every slot whose time has come leaves now, stamped with its scheduled time.
      while (sent < scheduledRequests && start + sent * interval <= now) {
        if (sent - answered >= maxInFlight) {
          overflowed = true;
          break;
        }
        send(start + sent * interval);
      }
      if (sent === scheduledRequests || overflowed) {
        resolveSchedule();
        return;
      }
      const wait = start + sent * interval - performance.now();
      setTimeout(tick, Math.max(0, Math.min(wait, 5)));
    };
    tick();
  });
  const drained = await Promise.race([
    allAnswered.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), options.drainTimeoutMs ?? 120_000)),
  ]);
  agent.destroy();
  if (!drained) {
    firstFailure ??= `${sent - answered} requests unanswered after the drain timeout`;
  }
  const elapsed = Math.max(lastAnswer - start, seconds * 1000) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    offeredRate: rate,
    batch,
    scheduledRequests,
    sentRequests: sent,
    answeredRequests: answered,
    failedRequests: failed + (sent - answered),
    ackedStatements: acked,
    ackedRate: acked / elapsed,
    p50Ms: latencies.length ? percentile(latencies, 0.5) : Infinity,
    p99Ms: latencies.length ? percentile(latencies, 0.99) : Infinity,
    maxMs: latencies.length ? Math.max(...latencies) : Infinity,
    overflowed,
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
    ...(firstFailure ? { firstFailure } : {}),
  };
}
