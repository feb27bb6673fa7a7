import { setMaxListeners } from 'node:events';
import type { RegistryEntry, RoutedStatement, Simulation, SimulationSource } from './types';

/**
 * Sends a simulation through the real HTTP API: registry first (so the enricher knows the learners when
 * their statements arrive), then the statements in batches per credential, then the paper sheets late.
 * Statement ids are fixed by the seed, so sending the same simulation twice stores nothing new.
 */

export interface BasicCredential {
  readonly key: string;
  readonly secret: string;
}

/** Per-point kiosk credentials (bound to their points), with an optional fallback for points not listed. */
export interface ClassroomCredentials {
  readonly byPoint: Readonly<Record<string, BasicCredential>>;
  readonly default?: BasicCredential;
}

/**
 * The gateway derives a statement's source type from the credential, so each source needs its own
 * credential for the sources to be told apart downstream; the same credential everywhere is allowed but
 * then every statement counts as that credential's source.
 */
export interface SimulationCredentials {
  /** Writes the registry: needs scope `all` or `registry/write`. */
  readonly registry: BasicCredential;
  readonly portal: BasicCredential;
  readonly app: BasicCredential;
  readonly partner: BasicCredential;
  /** One kiosk credential for every point, or one per point. */
  readonly classroom: BasicCredential | ClassroomCredentials;
}

export interface SendProgress {
  readonly phase: 'registry' | 'statements' | 'sheets';
  readonly done: number;
  readonly total: number;
}

export interface SendOptions {
  /** Base URL of the gateway, e.g. http://127.0.0.1:3000. */
  readonly target: URL | string;
  readonly credentials: SimulationCredentials;
  /** Open-loop statements per second: batches start on schedule whatever the answers. Unset = as fast as allowed. */
  readonly rate?: number;
  /** Statements per POST (default 100). */
  readonly batchSize?: number;
  /** Requests in flight at most (default 8). */
  readonly concurrency?: number;
  /** Attempts per request before giving up on 429/503/network errors (default 8). */
  readonly maxAttempts?: number;
  /** First backoff after a 503 or network error without Retry-After (default 250 ms, doubling, max 30 s). */
  readonly backoffMs?: number;
  /** Attempts per request when there is no answer at all (connection refused, reset); default 4. */
  readonly maxNetworkAttempts?: number;
  /** Give up (TargetUnreachableError) after this many requests in a row failed without any answer (default 3). */
  readonly unreachableAfter?: number;
  readonly maxBackoffMs?: number;
  /** Skip phases, e.g. `{ registry: false }` when the registry is already loaded. */
  readonly phases?: { readonly registry?: boolean; readonly statements?: boolean; readonly sheets?: boolean };
  readonly onProgress?: (progress: SendProgress) => void;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface RequestFailure {
  /** HTTP status, or 0 when no answer came (network error). */
  readonly status: number;
  readonly what: string;
  readonly body: string;
}

export interface PhaseReport {
  readonly requests: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Attempts repeated after a 429, 503 or network error. */
  readonly retries: number;
  /** Every answer seen, by status (including those retried); `network` for no answer. */
  readonly responses: Readonly<Record<string, number>>;
  /** Requests that finally failed, by status. */
  readonly errorsByStatus: Readonly<Record<string, number>>;
  /** The first failures with their bodies (at most 20). */
  readonly errors: readonly RequestFailure[];
  readonly elapsedMs: number;
  /** From the first attempt to the acknowledgement, successful requests only (includes retry waits). */
  readonly latencyMs: LatencySummary;
}

export interface StatementPhaseReport extends PhaseReport {
  readonly statements: number;
  readonly acknowledged: number;
  readonly batches: number;
  readonly targetRate: number | null;
  /** Acknowledged statements per second over the phase. */
  readonly achievedRate: number;
  /** How late batches started against the open-loop schedule (client-side saturation). */
  readonly scheduleLagMs: LatencySummary;
  readonly bySource: Readonly<Record<SimulationSource, number>>;
}

export interface SheetPhaseReport extends PhaseReport {
  readonly sheets: number;
  readonly rows: number;
  readonly rowsStored: number;
  readonly rowsAlreadyStored: number;
  readonly rowsRejected: number;
  /** The first rejected rows with reasons (at most 20). */
  readonly rejections: readonly {
    readonly learningPointId: string;
    readonly line: number;
    readonly reasons: readonly string[];
  }[];
}

export interface SendReport {
  readonly registry: PhaseReport & { readonly learners: number };
  readonly statements: StatementPhaseReport;
  readonly sheets: SheetPhaseReport;
  readonly elapsedMs: number;
}

export class SimulationConfigError extends Error {
  override readonly name = 'SimulationConfigError';
}

/** Several requests in a row got no answer at all, even after their retries: stop instead of grinding on. */
export class TargetUnreachableError extends Error {
  override readonly name = 'TargetUnreachableError';
}

const XAPI_VERSION = '1.0.3';
const MAX_ERROR_SAMPLES = 20;
const MAX_BODY_CHARS = 2000;

export async function sendSimulation(sim: Simulation, options: SendOptions): Promise<SendReport> {
  const base = new URL(String(options.target));
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const http = new HttpClient(options);
  const startedAt = performance.now();
  const phases = {
    registry: options.phases?.registry !== false,
    statements: options.phases?.statements !== false,
    sheets: options.phases?.sheets !== false,
  };
  if (options.rate !== undefined && !(options.rate > 0))
    throw new SimulationConfigError('rate must be positive');
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new SimulationConfigError('batchSize must be a positive whole number');
  // Fail before sending anything when a point has no kiosk credential.
  for (const sheet of sim.classroomSheets) classroomCredential(options.credentials, sheet.learningPointId);
  for (const routed of sim.statements) credentialFor(options.credentials, routed);

  const registry = phases.registry
    ? await sendRegistry(sim.learners, base, options, http)
    : { ...emptyPhase(), learners: 0 };
  const statements = phases.statements
    ? await sendStatements(sim.statements, base, options, http, batchSize)
    : {
        ...emptyPhase(),
        statements: 0,
        acknowledged: 0,
        batches: 0,
        targetRate: options.rate ?? null,
        achievedRate: 0,
        scheduleLagMs: summarize([]),
        bySource: countBySource([]),
      };
  const sheets = phases.sheets
    ? await sendSheets(sim, base, options, http)
    : {
        ...emptyPhase(),
        sheets: 0,
        rows: 0,
        rowsStored: 0,
        rowsAlreadyStored: 0,
        rowsRejected: 0,
        rejections: [],
      };
  return { registry, statements, sheets, elapsedMs: performance.now() - startedAt };
}

// ---- phases -----------------------------------------------------------------------------------------------

async function sendRegistry(
  learners: readonly RegistryEntry[],
  base: URL,
  options: SendOptions,
  http: HttpClient,
): Promise<PhaseReport & { learners: number }> {
  const stats = new PhaseStats();
  const auth = basic(options.credentials.registry);
  let done = 0;
  await pool(learners, options.concurrency ?? 8, async (learner) => {
    const body = JSON.stringify({
      identities: learner.identities,
      birthYear: learner.birthYear,
      gender: learner.gender,
      homeTownId: learner.homeTownId,
      homeLearningPointId: learner.homeLearningPointId,
    });
    await http.request(
      stats,
      `registry PUT ${learner.id}`,
      new URL(`registry/learners/${encodeURIComponent(learner.id)}`, base),
      {
        method: 'PUT',
        headers: { Authorization: auth, 'Content-Type': 'application/json' },
        body,
      },
    );
    options.onProgress?.({ phase: 'registry', done: ++done, total: learners.length });
  });
  return { ...stats.report(), learners: learners.length };
}

export interface Batch {
  readonly credential: BasicCredential;
  readonly statements: readonly RoutedStatement[];
  /** Statements in all batches before this one: its place in the open-loop schedule. */
  readonly offset: number;
}

/** Batches per credential, in timestamp order: a batch closes when it is full. */
export function batchStatements(
  statements: readonly RoutedStatement[],
  credentials: SimulationCredentials,
  batchSize: number,
): Batch[] {
  const open = new Map<string, { credential: BasicCredential; statements: RoutedStatement[] }>();
  const closed: { credential: BasicCredential; statements: RoutedStatement[] }[] = [];
  for (const routed of statements) {
    const credential = credentialFor(credentials, routed);
    const key = `${credential.key}\u0000${credential.secret}`;
    let batch = open.get(key);
    if (batch === undefined) {
      batch = { credential, statements: [] };
      open.set(key, batch);
    }
    batch.statements.push(routed);
    if (batch.statements.length >= batchSize) {
      closed.push(batch);
      open.delete(key);
    }
  }
  closed.push(...open.values());
  let offset = 0;
  return closed.map((batch) => {
    const placed = { ...batch, offset };
    offset += batch.statements.length;
    return placed;
  });
}

async function sendStatements(
  statements: readonly RoutedStatement[],
  base: URL,
  options: SendOptions,
  http: HttpClient,
  batchSize: number,
): Promise<StatementPhaseReport> {
  const stats = new PhaseStats();
  const url = new URL('xapi/statements', base);
  const batches = batchStatements(statements, options.credentials, batchSize);
  const concurrency = options.concurrency ?? 8;
  const lags: number[] = [];
  let acknowledged = 0;
  let done = 0;
  const inFlight = new Set<Promise<void>>();
  let fatal: unknown;
  const t0 = performance.now();
  for (const batch of batches) {
    if (fatal !== undefined) break;
    if (options.rate !== undefined) {
      const due = t0 + (batch.offset / options.rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (options.rate !== undefined)
      lags.push(Math.max(0, performance.now() - (t0 + (batch.offset / options.rate) * 1000)));
    const request = (async () => {
      const ok = await http.request(stats, `statements batch of ${batch.statements.length}`, url, {
        method: 'POST',
        headers: {
          Authorization: basic(batch.credential),
          'Content-Type': 'application/json',
          'X-Experience-API-Version': XAPI_VERSION,
        },
        body: JSON.stringify(batch.statements.map((s) => s.statement)),
      });
      if (ok) acknowledged += batch.statements.length;
      done += batch.statements.length;
      options.onProgress?.({ phase: 'statements', done, total: statements.length });
    })();
    // Never rejects, so nothing is left unhandled while the loop waits; the first fatal error stops the loop.
    const tracked: Promise<void> = request
      .catch((error: unknown) => {
        fatal ??= error;
      })
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }
  await Promise.all(inFlight);
  if (fatal !== undefined) throw fatal;
  const report = stats.report();
  return {
    ...report,
    statements: statements.length,
    acknowledged,
    batches: batches.length,
    targetRate: options.rate ?? null,
    achievedRate: report.elapsedMs > 0 ? acknowledged / (report.elapsedMs / 1000) : 0,
    scheduleLagMs: summarize(lags),
    bySource: countBySource(statements),
  };
}

async function sendSheets(
  sim: Simulation,
  base: URL,
  options: SendOptions,
  http: HttpClient,
): Promise<SheetPhaseReport> {
  const stats = new PhaseStats();
  const url = new URL('xapi/classroom/attendance', base);
  let rowsStored = 0;
  let rowsAlreadyStored = 0;
  let rowsRejected = 0;
  let done = 0;
  const rejections: { learningPointId: string; line: number; reasons: string[] }[] = [];
  await pool(sim.classroomSheets, options.concurrency ?? 8, async (sheet) => {
    const answer = await http.request(
      stats,
      `attendance sheet ${sheet.learningPointId} ${sheet.weekStart}`,
      url,
      {
        method: 'POST',
        headers: {
          Authorization: basic(classroomCredential(options.credentials, sheet.learningPointId)),
          'Content-Type': 'text/csv; charset=utf-8',
          'X-Experience-API-Version': XAPI_VERSION,
        },
        body: sheet.csv,
      },
    );
    const outcome = answer ? parseSheetAnswer(answer.body) : undefined;
    if (outcome) {
      rowsStored += outcome.stored;
      rowsAlreadyStored += outcome.alreadyStored;
      rowsRejected += outcome.rejected.length;
      for (const rejected of outcome.rejected) {
        if (rejections.length < MAX_ERROR_SAMPLES)
          rejections.push({ learningPointId: sheet.learningPointId, ...rejected });
      }
    }
    options.onProgress?.({ phase: 'sheets', done: ++done, total: sim.classroomSheets.length });
  });
  return {
    ...stats.report(),
    sheets: sim.classroomSheets.length,
    rows: sim.classroomSheets.reduce((n, s) => n + s.rows.length, 0),
    rowsStored,
    rowsAlreadyStored,
    rowsRejected,
    rejections,
  };
}

interface SheetAnswer {
  stored: number;
  alreadyStored: number;
  rejected: { line: number; reasons: string[] }[];
}

/** The gateway answers `{ accepted, rejected, stored, alreadyStored }`; anything else counts as nothing known. */
function parseSheetAnswer(body: string): SheetAnswer | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const record = json as Record<string, unknown>;
  const rejected = Array.isArray(record.rejected)
    ? record.rejected.flatMap((r: unknown) => {
        if (typeof r !== 'object' || r === null) return [];
        const row = r as Record<string, unknown>;
        return [
          { line: Number(row.line), reasons: Array.isArray(row.reasons) ? row.reasons.map(String) : [] },
        ];
      })
    : [];
  return {
    stored: typeof record.stored === 'number' ? record.stored : 0,
    alreadyStored: typeof record.alreadyStored === 'number' ? record.alreadyStored : 0,
    rejected,
  };
}

// ---- credentials ------------------------------------------------------------------------------------------

function isPerPoint(classroom: SimulationCredentials['classroom']): classroom is ClassroomCredentials {
  return 'byPoint' in classroom;
}

export function classroomCredential(credentials: SimulationCredentials, pointId: string): BasicCredential {
  const classroom = credentials.classroom;
  if (!isPerPoint(classroom)) return classroom;
  const credential = classroom.byPoint[pointId] ?? classroom.default;
  if (credential === undefined) {
    throw new SimulationConfigError(
      `no classroom credential for learning point ${pointId} and no default one`,
    );
  }
  return credential;
}

export function credentialFor(credentials: SimulationCredentials, routed: RoutedStatement): BasicCredential {
  if (routed.source !== 'classroom') return credentials[routed.source];
  if (routed.learningPointId === null)
    throw new SimulationConfigError(`classroom statement ${routed.statement.id} has no learning point`);
  return classroomCredential(credentials, routed.learningPointId);
}

function basic(credential: BasicCredential): string {
  return `Basic ${Buffer.from(`${credential.key}:${credential.secret}`).toString('base64')}`;
}

// ---- HTTP with retries --------------------------------------------------------------------------------------

class PhaseStats {
  private readonly startedAt = performance.now();
  requests = 0;
  succeeded = 0;
  failed = 0;
  retries = 0;
  readonly responses: Record<string, number> = {};
  readonly errorsByStatus: Record<string, number> = {};
  readonly errors: RequestFailure[] = [];
  readonly latencies: number[] = [];

  fail(failure: RequestFailure): void {
    this.failed++;
    const key = failure.status === 0 ? 'network' : String(failure.status);
    this.errorsByStatus[key] = (this.errorsByStatus[key] ?? 0) + 1;
    if (this.errors.length < MAX_ERROR_SAMPLES) this.errors.push(failure);
  }

  report(): PhaseReport {
    return {
      requests: this.requests,
      succeeded: this.succeeded,
      failed: this.failed,
      retries: this.retries,
      responses: { ...this.responses },
      errorsByStatus: { ...this.errorsByStatus },
      errors: [...this.errors],
      elapsedMs: performance.now() - this.startedAt,
      latencyMs: summarize(this.latencies),
    };
  }
}

class HttpClient {
  private readonly maxAttempts: number;
  private readonly maxNetworkAttempts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly unreachableAfter: number;
  private unanswered = 0;
  /** Set once the target is given up on: every request still retrying stops at once. */
  private readonly stop = new AbortController();
  private fatal: TargetUnreachableError | undefined;

  constructor(options: SendOptions) {
    this.unreachableAfter = options.unreachableAfter ?? 3;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.maxNetworkAttempts = Math.min(this.maxAttempts, options.maxNetworkAttempts ?? 4);
    this.backoffMs = options.backoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    // One signal fans out to every request of the run by design; fetch keeps a listener per request.
    setMaxListeners(0, this.stop.signal);
  }

  /** The answer when it is 2xx; otherwise the failure is recorded in `stats` and undefined returned. */
  async request(
    stats: PhaseStats,
    what: string,
    url: URL,
    init: { method: string; headers: Record<string, string>; body: string },
  ): Promise<{ status: number; body: string } | undefined> {
    stats.requests++;
    const startedAt = performance.now();
    for (let attempt = 1; ; attempt++) {
      if (this.fatal) throw this.fatal;
      let status = 0;
      let body = '';
      let retryAfterMs: number | undefined;
      try {
        const response = await fetch(url, { ...init, signal: this.stop.signal });
        status = response.status;
        body = await response.text();
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      } catch (error) {
        if (this.fatal) throw this.fatal;
        body = error instanceof Error ? `${error.message}${causeOf(error)}` : String(error);
      }
      const key = status === 0 ? 'network' : String(status);
      stats.responses[key] = (stats.responses[key] ?? 0) + 1;
      if (status !== 0) this.unanswered = 0;
      if (status >= 200 && status < 300) {
        stats.succeeded++;
        stats.latencies.push(performance.now() - startedAt);
        return { status, body };
      }
      const retryable = status === 429 || status === 503 || status === 0;
      const limit = status === 0 ? this.maxNetworkAttempts : this.maxAttempts;
      if (!retryable || attempt >= limit) {
        stats.fail({
          status,
          what: `${init.method} ${url.pathname}: ${what}`,
          body: body.slice(0, MAX_BODY_CHARS),
        });
        if (status === 0 && ++this.unanswered >= this.unreachableAfter) {
          this.fatal = new TargetUnreachableError(
            `${url.origin} did not answer ${this.unanswered} requests in a row (each tried ${attempt} times): ${body}`,
          );
          this.stop.abort(this.fatal);
          throw this.fatal;
        }
        return undefined;
      }
      stats.retries++;
      const backoff = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1));
      await sleep(retryAfterMs ?? backoff, this.stop.signal);
    }
  }
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? ` (${cause.message})` : '';
}

/** Retry-After as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

// ---- small helpers -----------------------------------------------------------------------------------------

/** Resolves after `ms`, or at once when `signal` aborts (the caller then checks why). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] };
}

function countBySource(statements: readonly RoutedStatement[]): Record<SimulationSource, number> {
  const counts: Record<SimulationSource, number> = { portal: 0, app: 0, classroom: 0, partner: 0 };
  for (const s of statements) counts[s.source]++;
  return counts;
}

function emptyPhase(): PhaseReport {
  return new PhaseStats().report();
}
