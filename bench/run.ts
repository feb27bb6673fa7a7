/**
 * `npm run bench`: the whole pipeline against the targets of issue 8. Starts what it needs (the embedded
 * server and, for the Kafka mode, a broker of its own plus a server on it, each as a child process), runs
 * every part several times after a warm-up, writes bench/results/<date>.json and appends a table to
 * BENCHMARKS.md. See bench/README.md for what each part measures and how long a run takes.
 *
 *   npm run bench                          full run (about 40 minutes on 2 cores)
 *   npm run bench -- --smoke               tiny sizes into a temp dir (part of npm test)
 *   npm run bench -- --profile             server children with --cpu-prof into bench/results/
 *   npm run bench -- --parts ingest,freshness --modes kafka --runs 5 --step-seconds 15
 *   npm run bench -- --dashboards-100m     dashboards on 100 million statements as well as 10 million
 *   npm run bench -- --dashboards-data-dir DIR   keep the generated stores in DIR/<size> and reuse them
 *   npm run bench -- --parts freshness --freshness-rate 1500   freshness under a given background load
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startKafkaBroker, type RunningKafkaBroker } from '@app/testing';
import { simulatedStatements } from './corpus';
import { figure, type Figure, type PartResult } from './figures';
import { runFreshness } from './freshness';
import { measureIngest } from './ingest';
import { machineInfo } from './machine';
import { formatProfileSummary, summarizeProfile } from './profile-summary';
import { tailsOf } from './open-loop';
import { measureReadSide } from './read-side';
import { runChildScript } from './child-script';
import { appendMarkdown, fileStamp, markdownSection, writeResultsJson, type BenchResults } from './report';
import { startServer, type RunningServer } from './server-process';
import { measureValidation } from './validation';
import { dashboardFigures, runDashboards, type DashboardBenchResult } from './dashboards-part';

const ALL_PARTS = ['validation', 'ingest', 'freshness', 'dashboards', 'read', 'components'] as const;
type PartName = (typeof ALL_PARTS)[number];
const REPO = join(__dirname, '..');

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    runs: { type: 'string' },
    'step-seconds': { type: 'string' },
    parts: { type: 'string' },
    modes: { type: 'string' },
    'out-dir': { type: 'string' },
    'dashboards-sizes': { type: 'string' },
    'dashboards-100m': { type: 'boolean', default: false },
    'dashboards-data-dir': { type: 'string' },
    'no-markdown': { type: 'boolean', default: false },
    'freshness-rate': { type: 'string' },
  },
});
const smoke = flags.smoke;
const runs = Number(flags.runs ?? (smoke ? 1 : 3));
const stepSeconds = Number(flags['step-seconds'] ?? (smoke ? 0.5 : 10));
const parts = new Set<PartName>(
  (flags.parts?.split(',') ?? ALL_PARTS).map((name) => {
    if (!(ALL_PARTS as readonly string[]).includes(name)) throw new Error(`unknown part ${name}`);
    return name as PartName;
  }),
);
const modes = (flags.modes?.split(',') ?? ['embedded', 'kafka']) as ('embedded' | 'kafka')[];
// Smoke runs never touch bench/results or BENCHMARKS.md unless told where to write.
const outDir =
  flags['out-dir'] ?? (smoke ? mkdtempSync(join(tmpdir(), 'bench-smoke-')) : join(__dirname, 'results'));
const markdownFile = smoke || flags['out-dir'] ? join(outDir, 'BENCHMARKS.md') : join(REPO, 'BENCHMARKS.md');
const dashboardSizes = flags['dashboards-sizes']
  ? flags['dashboards-sizes'].split(',').map(Number)
  : smoke
    ? [20_000]
    : flags['dashboards-100m']
      ? [10_000_000, 100_000_000]
      : [10_000_000];
// Background load of the freshness part; default half the ingest part's maximum (1,000/s without it).
const freshnessRate = flags['freshness-rate'] ? Number(flags['freshness-rate']) : undefined;
const startedAt = new Date();
const profileDir = flags.profile ? join(outDir, `profile-${fileStamp(startedAt)}`) : undefined;

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function timed(
  name: string,
  work: () => Promise<Omit<PartResult, 'name' | 'seconds'>>,
): Promise<PartResult> {
  const started = performance.now();
  log(`\n## ${name}`);
  let result: Omit<PartResult, 'name' | 'seconds'>;
  try {
    result = await work();
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`${name} failed: ${message}`);
    result = { status: 'failed', detail: message.slice(0, 2_000), figures: [] };
  }
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 'ok')
    log(`${name}: ${result.status}${result.detail ? ` — ${result.detail.split('\n')[0]}` : ''}`);
  return { name, seconds: Math.round(seconds * 10) / 10, ...result };
}

/** Runs a bench script as a child process and reads its `RESULT {json}` line. */
function runScript(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  return runChildScript(join(__dirname, file), args, 'RESULT ', env);
}

async function main(): Promise<void> {
  const machine = machineInfo();
  log(
    `bench${smoke ? ' (smoke)' : ''}: ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `chdb ${machine.chdb}, Kafka ${machine.kafka}; runs ${runs}, steps ${stepSeconds} s; results in ${outDir}`,
  );
  const results: PartResult[] = [];
  const tails = tailsOf(simulatedStatements(smoke ? 500 : 5_000));
  const ingestDefaults = {
    tails,
    batches: [50, 1],
    runs,
    stepSeconds,
    warmupSeconds: smoke ? 0 : 5,
    startRate: (batch: number) => (smoke ? (batch === 1 ? 20 : 250) : batch === 1 ? 300 : 1_000),
    factor: smoke ? 4 : 1.5,
    refine: smoke ? 0 : 2,
    maxRampSteps: smoke ? 2 : 12,
    latencyCeilingMs: 1_000,
    log,
  };
  const maxRates: Record<string, Record<number, number>> = {};

  if (parts.has('validation')) {
    results.push(
      await timed('1. validation', async () => {
        const outcome = measureValidation({
          runs: smoke ? 1 : Math.max(runs, 5),
          seconds: smoke ? 0.1 : 1,
          mixSize: smoke ? 300 : 2_000,
        });
        for (const f of outcome.figures)
          log(`  ${f.name}: ${Math.round(f.median).toLocaleString('en-US')} ${f.unit}`);
        return { status: 'ok', detail: outcome.detail, figures: outcome.figures };
      }),
    );
  }

  const ingestFigures: Figure[] = [];
  const ingestSteps: Record<string, unknown> = {};
  let ingestSeconds = 0;
  let ingestError: string | undefined;
  let readSide: PartResult | undefined;
  let broker: RunningKafkaBroker | undefined;
  const brokerDir = mkdtempSync(join(tmpdir(), 'bench-kafka-'));
  const needsBroker =
    (modes.includes('kafka') && (parts.has('ingest') || parts.has('freshness'))) || parts.has('components');
  try {
    if (needsBroker) {
      log('\nstarting a Kafka broker of the bench’s own');
      broker = await startKafkaBroker({
        port: await freePort(),
        dataDir: brokerDir,
        fastStart: smoke,
        heapMb: smoke ? 512 : 1024,
        stopWhenProcessExits: process.pid,
      });
    }

    // Part 2 (and 5, which reads the embedded server's store after the ingest filled it).
    if (parts.has('ingest') || parts.has('read')) {
      for (const mode of modes) {
        if (!parts.has('ingest') && mode !== 'embedded') continue;
        log(`\n## 2. ingest: ${mode} server`);
        let server: RunningServer | undefined;
        try {
          server = await startServer({ mode, brokers: broker?.brokers, cpuProfileDir: profileDir });
          if (parts.has('ingest')) {
            const ingestStarted = performance.now();
            const outcome = await measureIngest({
              ...ingestDefaults,
              server,
              brokerPid: mode === 'kafka' ? broker?.pid : undefined,
            });
            ingestFigures.push(...outcome.figures);
            ingestSteps[mode] = outcome.steps;
            maxRates[mode] = outcome.maxRates;
            ingestSeconds += (performance.now() - ingestStarted) / 1000;
          }
          if (mode === 'embedded' && parts.has('read')) {
            const activeServer = server;
            readSide = await timed('5. read side', async () => {
              const outcome = await measureReadSide({
                server: activeServer,
                tails,
                runs,
                byIdRequests: smoke ? 20 : 500,
                queries: smoke ? 2 : 40,
                pages: smoke ? 2 : 5,
              });
              if (!outcome.available) return { status: 'not available', detail: outcome.detail, figures: [] };
              for (const f of outcome.figures) log(`  ${f.name}: ${f.median.toFixed(1)} ${f.unit}`);
              return { status: 'ok', detail: outcome.detail, figures: outcome.figures };
            });
          }
        } catch (error) {
          ingestError = `${ingestError ? `${ingestError}\n` : ''}${mode}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
          log(`ingest ${mode} failed: ${ingestError}`);
          if (mode === 'embedded' && parts.has('read') && !readSide) {
            readSide = {
              name: '5. read side',
              status: 'failed',
              detail: ingestError,
              figures: [],
              seconds: 0,
            };
          }
        } finally {
          await server?.stop();
        }
      }
      if (parts.has('ingest')) {
        results.push({
          name: '2. ingest',
          status: ingestError ? 'failed' : 'ok',
          ...(ingestError
            ? { detail: ingestError.slice(0, 2_000) }
            : { detail: 'open loop, simulator statements with fresh ids, HTTP → ClickHouse' }),
          figures: ingestFigures,
          data: { steps: ingestSteps },
          seconds: Math.round(ingestSeconds * 10) / 10,
        });
      }
      if (readSide) results.push(readSide);
    }

    // The later parts do not depend on each other. A real run takes them one at a time, so none measures on
    // a machine busy with another; the smoke run only checks that they work and overlaps them.
    const later: (() => Promise<PartResult>)[] = [];
    if (parts.has('freshness')) {
      later.push(() =>
        timed('3. freshness', async () => {
          const oneMode = (mode: 'embedded' | 'kafka') => {
            const max = maxRates[mode]?.[50];
            return runFreshness(
              {
                mode,
                brokers: broker?.brokers,
                loadRate: smoke ? 200 : freshnessRate ? freshnessRate : max ? max / 2 : 1_000,
                batch: 50,
                runs,
                seconds: smoke ? 1 : Math.max(stepSeconds, 10),
                warmupSeconds: smoke ? 0 : 3,
                markersPerSecond: smoke ? 10 : 20,
                pollMs: 20,
              },
              log,
            );
          };
          const figures: Figure[] = [];
          if (smoke) figures.push(...(await Promise.all(modes.map(oneMode))).flat());
          else for (const mode of modes) figures.push(...(await oneMode(mode)));
          return {
            status: 'ok',
            detail: 'background load at half the batched maximum of the ingest part (1,000/s without it)',
            figures,
          };
        }),
      );
    }
    if (parts.has('dashboards'))
      later.push(() => timed('4. dashboards', () => dashboardsPart(dashboardSizes)));
    if (parts.has('components')) {
      later.push(() =>
        timed('6. components (single-core enrichment; Kafka → sink → chdb backbone)', async () => {
          const enrichment = (await runScript(
            'enrichment.ts',
            smoke ? ['1', '0.05'] : [String(Math.max(runs, 5)), '1'],
          )) as { enrich: number[]; narrowAndEnrich: number[] };
          const backbone = (await runScript('backbone.ts', smoke ? ['200', '1'] : ['50000', String(runs)], {
            ...process.env,
            KAFKA_BROKERS: broker?.brokers,
          })) as { rates: number[] };
          const figures = [
            figure('enrichStatement, one core', 'statements/s', enrichment.enrich),
            figure(
              'enrichableStatementSchema.parse + enrich, one core',
              'statements/s',
              enrichment.narrowAndEnrich,
            ),
            figure('backbone: enriched topic → sink → chdb', 'statements/s', backbone.rates, {
              note: 'backlog already in Kafka; clock from sink start to all rows written',
            }),
          ];
          for (const f of figures)
            log(`  ${f.name}: ${Math.round(f.median).toLocaleString('en-US')} ${f.unit}`);
          return { status: 'ok', figures };
        }),
      );
    }
    if (smoke) results.push(...(await Promise.all(later.map((part) => part()))));
    else for (const part of later) results.push(await part());
  } finally {
    await broker?.stop();
    rmSync(brokerDir, { recursive: true, force: true });
  }

  // In the order of the issue's parts, whatever order they ran in.
  results.sort((a, b) => a.name.localeCompare(b.name));
  const profiles: string[] = [];
  if (profileDir) {
    // The profiles are written when the children exit; a text summary beside each attributes the time.
    for (const name of existsSync(profileDir) ? readdirSync(profileDir) : []) {
      if (!name.endsWith('.cpuprofile')) continue;
      const text = formatProfileSummary(summarizeProfile(join(profileDir, name)));
      writeFileSync(join(profileDir, name.replace(/\.cpuprofile$/, '.txt')), `${text}\n`);
      profiles.push(`${name}: ${text.split('\n').slice(0, 12).join('\n')}`);
    }
  }
  const report: BenchResults = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    smoke,
    options: { runs, stepSeconds, parts: [...parts], modes, dashboardSizes, profileDir: profileDir ?? null },
    machine,
    parts: results,
  };
  const jsonFile = writeResultsJson(outDir, report);
  const shownPath = relative(REPO, jsonFile).startsWith('..') ? jsonFile : relative(REPO, jsonFile);
  const section = markdownSection(report, shownPath, profiles);
  if (!flags['no-markdown']) appendMarkdown(markdownFile, section);
  log(section);
  if (profileDir) log(`CPU profiles of the server children and their summaries: ${profileDir}`);
  log(`results: ${jsonFile}${flags['no-markdown'] ? '' : `; table appended to ${markdownFile}`}`);
  process.exitCode = results.some((part) => part.status === 'failed') ? 1 : 0;
}

/** Part 4: helper F's bench/dashboards.ts, run as a child per size (it opens its own chdb store). */
async function dashboardsPart(sizes: number[]): Promise<Omit<PartResult, 'name' | 'seconds'>> {
  if (!existsSync(join(__dirname, 'dashboards.ts'))) {
    return { status: 'not available', detail: 'bench/dashboards.ts does not exist yet', figures: [] };
  }
  const figures: Figure[] = [];
  const details: DashboardBenchResult[] = [];
  for (const size of sizes) {
    const dashboardRuns = smoke ? 2 : Math.max(10, runs);
    const dataDir = flags['dashboards-data-dir'];
    const result = await runDashboards(
      size,
      dashboardRuns,
      log,
      dataDir ? join(dataDir, String(size)) : undefined,
    );
    details.push(result);
    figures.push(...dashboardFigures(result));
  }
  return {
    status: 'ok',
    detail: `every ClickHouse panel of every dashboard on ${sizes.map((n) => n.toLocaleString('en-US')).join(' and ')} simulated statements (bench/dashboards.ts); per-panel timings in the JSON`,
    figures,
    data: details,
  };
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
