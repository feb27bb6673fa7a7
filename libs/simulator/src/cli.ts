import { parseArgs } from 'node:util';
import { chinaDateOf } from './activity';
import type { BasicCredential, SendReport, SimulationCredentials } from './sender';
import { SIMULATION_SOURCES, type Simulation } from './types';

/** Command-line options of `npm run simulate`, parsed and checked; the app only wires them up. */

export const CLI_USAGE = `Usage: npm run simulate -- [options]

Generates a believable Jiulongpo district and sends it through the gateway's HTTP API:
registry PUTs, then statements in batches, then paper attendance sheets (late upload).

  --learners N        learners to simulate (default 2000; ~5% stay unknown to the registry)
  --days N            days to simulate (default 30), ending yesterday unless --start is given
  --start YYYY-MM-DD  first simulated day (China time)
  --seed S            random seed (default jiulongpo); the same seed re-sends the same statement ids
  --target URL        gateway base URL (default http://127.0.0.1:3000)
  --rate N            open-loop statements per second (default: as fast as --concurrency allows)
  --batch-size N      statements per POST (default 100)
  --concurrency N     requests in flight (default 8)
  --user key:secret   credential for every source without its own (and the registry: needs scope all
                      or registry/write)
  --credentials FILE  JSON: { "registry": "k:s", "portal": "k:s", "app": "k:s", "partner": "k:s",
                      "classroom": "k:s" | { "LP001": "k:s", ..., "default": "k:s" } }
  --no-registry       do not PUT the registry   --no-sheets  do not upload attendance sheets
  --out DIR           also write learners.csv, statements.ndjson and sheets/*.csv to DIR
  --dry-run           generate and print the summary only, send nothing
  --help

The gateway takes a statement's source type from the credential. With one --user for everything,
all statements count as that credential's source; give each source its own credential to tell the
portal, app, classroom and partner apart. A single classroom credential must not be bound to one
learning point (points are named in each statement); per-point kiosk credentials may be.`;

export class CliError extends Error {
  override readonly name = 'CliError';
}

export interface CliOptions {
  readonly learners: number;
  readonly days: number;
  readonly start: Date;
  readonly seed: string;
  readonly target: string;
  readonly rate: number | undefined;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly user: BasicCredential | undefined;
  readonly credentialsFile: string | undefined;
  readonly registry: boolean;
  readonly sheets: boolean;
  readonly out: string | undefined;
  readonly dryRun: boolean;
  readonly help: boolean;
}

export function parseCliArgs(argv: readonly string[], now: Date = new Date()): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        learners: { type: 'string' },
        days: { type: 'string' },
        start: { type: 'string' },
        seed: { type: 'string' },
        target: { type: 'string' },
        rate: { type: 'string' },
        'batch-size': { type: 'string' },
        concurrency: { type: 'string' },
        user: { type: 'string' },
        credentials: { type: 'string' },
        'no-registry': { type: 'boolean' },
        'no-sheets': { type: 'boolean' },
        out: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  const days = wholeNumber('--days', values.days, 30, 1);
  let start: Date;
  if (values.start !== undefined) {
    if (
      !/^\d{4}-\d{2}-\d{2}$/.test(values.start) ||
      Number.isNaN(Date.parse(`${values.start}T00:00:00+08:00`))
    ) {
      throw new CliError(`--start must be a date such as 2026-10-01, got ${values.start}`);
    }
    start = new Date(`${values.start}T00:00:00+08:00`);
  } else {
    // End yesterday in China: the gateway refuses attendance sheets dated in the future.
    const today = Date.parse(`${chinaDateOf(now)}T00:00:00+08:00`);
    start = new Date(today - days * 86_400_000);
  }
  const target = values.target ?? 'http://127.0.0.1:3000';
  try {
    new URL(target);
  } catch {
    throw new CliError(`--target must be a URL, got ${target}`);
  }
  return {
    learners: wholeNumber('--learners', values.learners, 2000, 0),
    days,
    start,
    seed: values.seed ?? 'jiulongpo',
    target,
    rate: values.rate === undefined ? undefined : positiveNumber('--rate', values.rate),
    batchSize: wholeNumber('--batch-size', values['batch-size'], 100, 1),
    concurrency: wholeNumber('--concurrency', values.concurrency, 8, 1),
    user: values.user === undefined ? undefined : parseKeySecret('--user', values.user),
    credentialsFile: values.credentials,
    registry: values['no-registry'] !== true,
    sheets: values['no-sheets'] !== true,
    out: values.out,
    dryRun: values['dry-run'] === true,
    help: values.help === true,
  };
}

function wholeNumber(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min)
    throw new CliError(`${flag} must be a whole number ≥ ${min}, got ${raw}`);
  return value;
}

function positiveNumber(flag: string, raw: string): number {
  const value = Number(raw);
  if (!(value > 0) || !Number.isFinite(value))
    throw new CliError(`${flag} must be a positive number, got ${raw}`);
  return value;
}

/** `key:secret`; the secret may contain ':'. */
export function parseKeySecret(what: string, raw: string): BasicCredential {
  const colon = raw.indexOf(':');
  if (colon <= 0 || colon === raw.length - 1) throw new CliError(`${what} must be key:secret`);
  return { key: raw.slice(0, colon), secret: raw.slice(colon + 1) };
}

/**
 * Credentials from the parsed `--credentials` file (may be undefined) with `--user` for every source the
 * file leaves out. Throws CliError naming what is missing.
 */
export function resolveCredentials(file: unknown, user: BasicCredential | undefined): SimulationCredentials {
  const entries: Record<string, unknown> =
    file === undefined
      ? {}
      : typeof file === 'object' && file !== null && !Array.isArray(file)
        ? { ...file }
        : fail();
  const known = new Set(['registry', ...SIMULATION_SOURCES]);
  const unknown = Object.keys(entries).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new CliError(`credentials file: unknown entries ${unknown.join(', ')}`);
  const missing = ['registry', ...SIMULATION_SOURCES].filter((name) => entries[name] === undefined);
  if (user === undefined && missing.length > 0) {
    throw new CliError(
      `no credential for ${missing.join(', ')}: give --user or entries in the credentials file`,
    );
  }
  const single = (name: string): BasicCredential => {
    const raw = entries[name];
    if (raw === undefined) {
      if (user === undefined)
        throw new CliError(`no credential for ${name}: give --user or a "${name}" entry`);
      return user;
    }
    if (typeof raw !== 'string') throw new CliError(`credentials file: "${name}" must be "key:secret"`);
    return parseKeySecret(`credentials file "${name}"`, raw);
  };
  const classroomRaw = entries.classroom;
  let classroom: SimulationCredentials['classroom'];
  if (typeof classroomRaw === 'object' && classroomRaw !== null && !Array.isArray(classroomRaw)) {
    const byPoint: Record<string, BasicCredential> = {};
    let fallback: BasicCredential | undefined = user;
    for (const [point, raw] of Object.entries(classroomRaw)) {
      if (typeof raw !== 'string')
        throw new CliError(`credentials file: classroom.${point} must be "key:secret"`);
      const credential = parseKeySecret(`credentials file classroom.${point}`, raw);
      if (point === 'default') fallback = credential;
      else byPoint[point] = credential;
    }
    classroom = { byPoint, ...(fallback && { default: fallback }) };
  } else classroom = single('classroom');
  return {
    registry: single('registry'),
    portal: single('portal'),
    app: single('app'),
    partner: single('partner'),
    classroom,
  };
}

function fail(): never {
  throw new CliError('credentials file must hold a JSON object');
}

export function formatSimulationSummary(sim: Simulation): string {
  const bySource = Object.fromEntries(SIMULATION_SOURCES.map((s) => [s, 0])) as Record<string, number>;
  for (const s of sim.statements) bySource[s.source]++;
  const rows = sim.classroomSheets.reduce((n, s) => n + s.rows.length, 0);
  const byRegion = { east: 0, west: 0 };
  for (const p of sim.profiles) byRegion[p.region as 'east' | 'west']++;
  const silent = sim.points.filter((p) => p.weight === 0 || p.activeUntilDay < sim.days).length;
  return [
    `seed ${sim.seed}: ${sim.days} days from ${sim.startDate} (China time)`,
    `learners  ${sim.profiles.length} (${sim.learners.length} registered, ${sim.profiles.length - sim.learners.length} unknown to the registry; east ${byRegion.east}, west ${byRegion.west})`,
    `points    ${sim.points.length - silent} of ${sim.points.length} hold classes to the end; ${sim.points.filter((p) => p.paper && p.weight > 0).length} record on paper`,
    `statements ${sim.statements.length}: ${SIMULATION_SOURCES.map((s) => `${s} ${bySource[s]}`).join(', ')}`,
    `sheets    ${sim.classroomSheets.length} attendance sheets, ${rows} rows (uploaded last)`,
  ].join('\n');
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

export function formatSendReport(report: SendReport): string {
  const r = report.registry;
  const s = report.statements;
  const h = report.sheets;
  const errors = (errorsByStatus: Readonly<Record<string, number>>) =>
    Object.keys(errorsByStatus).length === 0
      ? 'none'
      : Object.entries(errorsByStatus)
          .map(([status, n]) => `${status}×${n}`)
          .join(', ');
  const lines = [
    `registry   ${r.succeeded}/${r.learners} learners written in ${(r.elapsedMs / 1000).toFixed(1)} s; retries ${r.retries}; errors ${errors(r.errorsByStatus)}`,
    `statements ${s.acknowledged}/${s.statements} acknowledged in ${s.batches} batches, ${(s.elapsedMs / 1000).toFixed(1)} s, ` +
      `${s.achievedRate.toFixed(0)} statements/s${s.targetRate === null ? '' : ` (target ${s.targetRate})`}`,
    `           ack latency per batch p50 ${ms(s.latencyMs.p50)}, p90 ${ms(s.latencyMs.p90)}, p99 ${ms(s.latencyMs.p99)}, max ${ms(s.latencyMs.max)}` +
      (s.targetRate === null ? '' : `; schedule lag p99 ${ms(s.scheduleLagMs.p99)}`),
    `           responses ${errors(s.responses)}; retries ${s.retries}; errors ${errors(s.errorsByStatus)}`,
    `sheets     ${h.succeeded}/${h.sheets} sheets; rows ${h.rowsStored} stored, ${h.rowsAlreadyStored} already stored, ${h.rowsRejected} rejected of ${h.rows}; errors ${errors(h.errorsByStatus)}`,
  ];
  const samples = [...r.errors, ...s.errors, ...h.errors].slice(0, 5);
  for (const e of samples)
    lines.push(`  error ${e.status === 0 ? 'network' : e.status} ${e.what}: ${e.body.slice(0, 300)}`);
  for (const rejection of h.rejections.slice(0, 5)) {
    lines.push(
      `  rejected row ${rejection.learningPointId} line ${rejection.line}: ${rejection.reasons.join('; ')}`,
    );
  }
  lines.push(`total      ${(report.elapsedMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

/** True when anything failed (the CLI exits non-zero). */
export function hasFailures(report: SendReport): boolean {
  return (
    report.registry.failed + report.statements.failed + report.sheets.failed + report.sheets.rowsRejected > 0
  );
}
