import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { z } from 'zod';
import { topics } from '@app/contracts';
import { hashSecret, parseAttendanceCsv, type CredentialsFile } from '@app/lrs';
import { ReferenceIndex, ageBand } from '@app/reference';
import {
  DEFAULT_HOME_PAGES,
  LEARNING_POINT_EXTENSION,
  chinaDateOf,
  hasFailures,
  sendSimulation,
  simulateDistrict,
  type BasicCredential,
  type SendReport,
  type Simulation,
  type SimulationCredentials,
} from '@app/simulator';
import { freePort, pollUntil, startIsolatedKafka, type IsolatedKafka } from '@app/testing';
import { ChdbWarehouse, engagementBreakdown, skillFunnel } from '@app/warehouse';
import { actorKey, type Actor } from '@app/xapi';
import { consumerGroupLag, groupsOfClient, metricValue } from './support/kafka-groups';

const ROOT = join(__dirname, '..');
/** A period no other test uses, so aggregate queries over it see only this test's statements. */
const PERIOD = {
  start: new Date('2024-05-06T00:00:00+08:00'),
  days: 10,
  from: '2024-05-06',
  to: '2024-05-15',
};
const LEARNERS = 400;
/** Learner ids L700001…: no other test registers these, and the registry change feed is shared. */
const FIRST_LEARNER_NUMBER = 700_001;
const POINT_ACTIVITY_PREFIX = 'https://learn.jlp.cq.cn/xapi/activities/learning-point/';

/** A statement as the pipeline sees it, from the simulator's ground truth (kiosk/online or paper sheet). */
interface SentStatement {
  readonly id: string;
  readonly actor: unknown;
  readonly verb: { readonly id: string };
  readonly object: { readonly id: string };
  readonly result?: { readonly success?: boolean; readonly completion?: boolean };
  readonly context?: {
    readonly extensions?: Readonly<Record<string, unknown>>;
    readonly contextActivities?: {
      readonly parent?: readonly { readonly id: string }[];
      readonly grouping?: readonly { readonly id: string }[];
      readonly other?: readonly { readonly id: string }[];
    };
  };
  readonly timestamp: string;
}

interface Expected {
  readonly statementIds: Set<string>;
  /** `${town}|${region}` → statements and distinct learner keys. */
  readonly byTown: Map<string, { statements: number; learners: Set<string> }>;
  readonly learnersByAgeBand: Map<string, Set<string>>;
  /** skill → learner key → first statement time, completed, passed. */
  readonly skills: Map<string, Map<string, { first: number; completed: boolean; passed: boolean }>>;
}

/** The paper sheets' statements exactly as the gateway builds them (deterministic UUID v5 ids). */
function sheetStatements(sim: Simulation, reference: ReferenceIndex): SentStatement[] {
  return sim.classroomSheets.flatMap((sheet) => {
    const parsed = parseAttendanceCsv(sheet.csv, { reference, learnerHomePage: DEFAULT_HOME_PAGES.learners });
    if (parsed.rejected.length > 0) throw new Error(`sheet ${sheet.learningPointId} has rejected rows`);
    return parsed.rows.map((row) => row.statement as unknown as SentStatement);
  });
}

function learningPointNamedBy(statement: SentStatement): string | undefined {
  const extension = statement.context?.extensions?.[LEARNING_POINT_EXTENSION];
  if (typeof extension === 'string') {
    return extension.startsWith(POINT_ACTIVITY_PREFIX)
      ? extension.slice(POINT_ACTIVITY_PREFIX.length)
      : extension;
  }
  const activities = [
    ...(statement.context?.contextActivities?.grouping ?? []),
    ...(statement.context?.contextActivities?.other ?? []),
  ];
  const named = activities.find((activity) => activity.id.startsWith(POINT_ACTIVITY_PREFIX));
  return named?.id.slice(POINT_ACTIVITY_PREFIX.length);
}

function skillOf(statement: SentStatement, reference: ReferenceIndex): string | undefined {
  const direct = reference.skillForActivity(statement.object.id);
  if (direct) return direct.skill.id;
  const { parent = [], grouping = [] } = statement.context?.contextActivities ?? {};
  for (const activity of [...parent, ...grouping]) {
    const match = reference.skillForActivity(activity.id);
    if (match) return match.skill.id;
  }
  return undefined;
}

/**
 * What the aggregates must show, computed from the simulator's own data and the reference files only
 * (not from the enricher): the enrichment README's precedence for the learning point (statement context,
 * then the credential's bound point — none here, every credential is unbound —, then the learner's home
 * point, else unattributed), the age band at the statement's time, the skill of the activity.
 */
function expectedAggregates(
  sim: Simulation,
  statements: readonly SentStatement[],
  reference: ReferenceIndex,
) {
  const learnerByIdentity = new Map(
    sim.learners.flatMap((l) => l.identities.map((key) => [key, l] as const)),
  );
  const expected: Expected = {
    statementIds: new Set(),
    byTown: new Map(),
    learnersByAgeBand: new Map(),
    skills: new Map(),
  };
  for (const statement of statements) {
    if (expected.statementIds.has(statement.id)) continue; // a sheet row repeated: one statement
    expected.statementIds.add(statement.id);
    const at = new Date(statement.timestamp);
    const day = chinaDateOf(at);
    if (day < PERIOD.from || day > PERIOD.to) throw new Error(`statement ${statement.id} outside the period`);
    const key = actorKey(statement.actor as Actor);
    const learner = learnerByIdentity.get(key);
    const learnerKey = learner ? learner.id : `actor:${key}`;

    const pointId = learningPointNamedBy(statement) ?? learner?.homeLearningPointId ?? undefined;
    const place = pointId === undefined ? undefined : reference.placeOf(pointId);
    const townKey = place ? `${place.town.id}|${place.region}` : 'unattributed|unknown';
    const town = expected.byTown.get(townKey) ?? { statements: 0, learners: new Set<string>() };
    town.statements += 1;
    town.learners.add(learnerKey);
    expected.byTown.set(townKey, town);

    const band = learner ? ageBand(learner.birthYear, at) : 'unknown';
    expected.learnersByAgeBand.set(band, (expected.learnersByAgeBand.get(band) ?? new Set()).add(learnerKey));

    const skill = skillOf(statement, reference);
    if (skill === undefined) continue;
    const category = reference.verbCategory(statement.verb.id);
    const completed =
      statement.result?.completion === true ||
      statement.result?.success === true ||
      category === 'completed' ||
      category === 'passed';
    const passed = statement.result?.success === true || category === 'passed';
    const progress = expected.skills.get(skill) ?? new Map();
    const before = progress.get(learnerKey);
    progress.set(learnerKey, {
      first: Math.min(before?.first ?? Infinity, at.getTime()),
      completed: (before?.completed ?? false) || completed,
      passed: (before?.passed ?? false) || passed,
    });
    expected.skills.set(skill, progress);
  }
  return expected;
}

interface RunningProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly clientId: string;
  output(): string;
}

describe('the pipeline through Kafka (npm start, TRANSPORT=kafka)', () => {
  const runId = randomBytes(4).toString('hex');
  const groups = { enricher: `e2e-enricher-${runId}`, sink: `e2e-sink-${runId}` };
  let workDir: string;
  let admin: Admin;
  let kafka: IsolatedKafka;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'pipeline-kafka-e2e-'));
    // A broker of its own: other files' enrichers on the shared broker would enrich this test's statements too.
    kafka = await startIsolatedKafka();
    const brokers = kafka.brokers;
    admin = new Kafka({
      clientId: `pipeline-e2e-admin-${runId}`,
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
  });
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null && child.pid)
        process.kill(-child.pid, 'SIGKILL');
    }
    await admin?.disconnect();
    await kafka?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function startProcess(name: string, credentialsFile: string): Promise<RunningProcess> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const clientId = `pipeline-e2e-${name}-${runId}`;
    const child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      detached: true, // its own process group, so a signal reaches node behind npm
      env: {
        ...process.env,
        TRANSPORT: 'kafka',
        KAFKA_BROKERS: kafka.brokers,
        KAFKA_CLIENT_ID: clientId,
        // A crashed member must leave the group quickly so the next process gets its partitions.
        KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '6000',
        KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
        ENRICHER_GROUP_ID: groups.enricher,
        SINK_GROUP_ID: groups.sink,
        DATA_DIR: join(workDir, 'data'),
        PORT: String(port),
        DEMO: 'off',
        CREDENTIALS_FILE: credentialsFile,
        XAPI_RATE_LIMIT_PER_SECOND: '100000',
        LOG_LEVEL: 'warn',
      },
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await pollUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`npm start (${name}) exited early:\n${output}`);
        return (await fetch(`${url}/health`)).status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: `npm start (${name}) answers /health` },
    );
    return { child, url, clientId, output: () => output };
  }

  /**
   * Signals the process group and waits until every process in it is gone: npm exits on the signal at once,
   * node behind it only after its graceful close (consumers, chdb), and the store is read after that.
   */
  async function stop(running: RunningProcess, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const group = -(running.child.pid as number);
    process.kill(group, signal);
    await pollUntil(
      () => {
        try {
          process.kill(group, 0);
          return false;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
          throw error;
        }
      },
      { timeoutMs: 30_000, intervalMs: 100, description: `process group ${group} gone after ${signal}` },
    );
  }

  const metricsOf = async (running: RunningProcess): Promise<string> =>
    (await fetch(`${running.url}/metrics`)).text();

  it('counts every statement exactly once with its town, region, age band and skill after a crash and a re-send', async () => {
    const started = Date.now();
    const reference = await ReferenceIndex.load();
    const sim = simulateDistrict({
      seed: `pipeline-kafka-e2e`,
      learners: LEARNERS,
      days: PERIOD.days,
      start: PERIOD.start,
      reference,
      firstLearnerNumber: FIRST_LEARNER_NUMBER,
    });
    const sheets = sheetStatements(sim, reference);
    const expected = expectedAggregates(
      sim,
      [...sim.statements.map((routed) => routed.statement as unknown as SentStatement), ...sheets],
      reference,
    );

    // One credential per source, none bound to a point (the README's "single classroom credential").
    const secret = (key: string): BasicCredential => ({ key, secret: `${key}-secret-${runId}` });
    const credentials: SimulationCredentials = {
      registry: secret('e2e-registry'),
      portal: secret('e2e-portal'),
      app: secret('e2e-app'),
      partner: secret('e2e-partner'),
      classroom: secret('e2e-classroom'),
    };
    const entry = async (
      credential: BasicCredential,
      source: 'portal' | 'app' | 'partner' | 'classroom',
      scopes: CredentialsFile['credentials'][number]['scopes'],
    ) => ({ key: credential.key, secretHash: await hashSecret(credential.secret), source, scopes });
    const file: CredentialsFile = {
      credentials: [
        await entry(credentials.registry, 'partner', ['registry/write', 'statements/write']),
        await entry(credentials.portal, 'portal', ['statements/write']),
        await entry(credentials.app, 'app', ['statements/write']),
        await entry(credentials.partner, 'partner', ['statements/write']),
        await entry(credentials.classroom as BasicCredential, 'classroom', ['statements/write']),
      ],
    };
    const credentialsFile = join(workDir, 'credentials.json');
    writeFileSync(credentialsFile, JSON.stringify(file));

    // --- process A: registry, then statements and sheets; killed as soon as everything is acknowledged.
    const first = await startProcess('a', credentialsFile);
    const registered = await sendSimulation(sim, {
      target: first.url,
      credentials,
      phases: { registry: true, statements: false, sheets: false },
    });
    expect(registered.registry.failed).toBe(0);
    expect(registered.registry.succeeded).toBe(sim.learners.length);
    // Registry writes reach a running enricher through the change feed: wait until process A's feed
    // consumer has applied all of them, or statements sent next may be enriched as "unknown learner".
    const feedGroup = await pollUntil(
      async () => (await groupsOfClient(admin, 'standalone-learners-', first.clientId))[0],
      { timeoutMs: 20_000, intervalMs: 200, description: "process A's registry change-feed group" },
    );
    await pollUntil(
      async () => (await consumerGroupLag(admin, feedGroup, topics.learnersChanged.name)) === 0,
      {
        timeoutMs: 20_000,
        intervalMs: 100,
        description: 'the registry change feed applied in process A',
      },
    );

    const firstUpload = await sendSimulation(sim, {
      target: first.url,
      credentials,
      phases: { registry: false, statements: true, sheets: true },
    });
    expect(hasFailures(firstUpload)).toBe(false);
    expect(firstUpload.statements.acknowledged).toBe(sim.statements.length);
    expect(firstUpload.sheets.rowsStored + firstUpload.sheets.rowsAlreadyStored).toBe(sheets.length);
    const atCrash = await metricsOf(first);
    await stop(first, 'SIGKILL'); // a consumer crash: acknowledged = in Kafka; some written, not committed

    // --- process B: same data directory and groups; the same upload again (same ids, same sheets).
    const second = await startProcess('b', credentialsFile);
    const secondUpload: SendReport = await sendSimulation(sim, {
      target: second.url,
      credentials,
      phases: { registry: false, statements: true, sheets: true },
    });
    expect(hasFailures(secondUpload)).toBe(false);
    expect(secondUpload.statements.acknowledged).toBe(sim.statements.length);
    expect(secondUpload.sheets.rowsStored + secondUpload.sheets.rowsAlreadyStored).toBe(sheets.length);

    // Idle: both groups committed up to the end of their topics, twice in a row (the enricher's output
    // lands on the enriched topic before it commits, so the sink's lag is read after the enricher's).
    let caughtUpPolls = 0;
    await pollUntil(
      async () => {
        const enricherLag = await consumerGroupLag(admin, groups.enricher, topics.statementsReceived.name);
        const sinkLag = await consumerGroupLag(admin, groups.sink, topics.statementsEnriched.name);
        caughtUpPolls = enricherLag === 0 && sinkLag === 0 ? caughtUpPolls + 1 : 0;
        return caughtUpPolls >= 2;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'the enricher and the sink caught up' },
    );
    const atEnd = await metricsOf(second);
    await stop(second, 'SIGTERM');

    const warehouse = new ChdbWarehouse(join(workDir, 'data', 'clickhouse'));
    try {
      // 1. Raw table: every distinct statement (simulator ids + sheet ids) stored, none twice.
      const ids = [...expected.statementIds];
      const [raw] = await warehouse.query(
        'SELECT count() AS rows, uniqExact(id) AS ids FROM statements WHERE id IN {ids:Array(UUID)}',
        { ids },
        z.object({ rows: z.coerce.number(), ids: z.coerce.number() }),
      );
      expect(raw).toEqual({ rows: ids.length, ids: ids.length });

      // 2a. Statements and distinct learners per town and region.
      const byTown = await engagementBreakdown(warehouse, {
        from: PERIOD.from,
        to: PERIOD.to,
        by: ['town', 'region'],
      });
      const actualTowns = Object.fromEntries(
        byTown.map((row) => [`${row.town}|${row.region}`, [row.statement_count, row.learner_count]]),
      );
      const expectedTowns = Object.fromEntries(
        [...expected.byTown].map(([key, cell]) => [key, [cell.statements, cell.learners.size]]),
      );
      expect(actualTowns).toEqual(expectedTowns);

      // 2b. Distinct learners per age band (at the statement's time; unregistered learners 'unknown').
      const byBand = await engagementBreakdown(warehouse, {
        from: PERIOD.from,
        to: PERIOD.to,
        by: ['age_band'],
      });
      expect(Object.fromEntries(byBand.map((row) => [row.age_band, row.learner_count]))).toEqual(
        Object.fromEntries([...expected.learnersByAgeBand].map(([band, learners]) => [band, learners.size])),
      );

      // 2c. Skill funnel: learners who first tried each skill in the period, and how far they got.
      const funnel = await skillFunnel(warehouse, { from: PERIOD.from, to: PERIOD.to });
      const expectedFunnel = Object.fromEntries(
        funnel.map((row) => {
          const progress = [...(expected.skills.get(row.skill_id)?.values() ?? [])];
          return [
            row.skill_id,
            {
              attempted: progress.length,
              completed: progress.filter((p) => p.completed).length,
              passed: progress.filter((p) => p.passed).length,
            },
          ];
        }),
      );
      expect(
        Object.fromEntries(
          funnel.map((row) => [
            row.skill_id,
            { attempted: row.attempted, completed: row.completed, passed: row.passed },
          ]),
        ),
      ).toEqual(expectedFunnel);
      expect([...expected.skills.keys()].every((skill) => skill in expectedFunnel)).toBe(true);
      expect(funnel.reduce((sum, row) => sum + row.attempted, 0)).toBeGreaterThan(0);

      process.stdout.write(
        `[pipeline-kafka] ${sim.statements.length} statements + ${sheets.length} sheet rows ` +
          `(${ids.length} distinct), ${sim.learners.length} registered of ${LEARNERS} learners; ` +
          `A at SIGKILL: ${metricValue(atCrash, 'warehouse_rows_written_total', { table: 'statements' })} rows written; ` +
          `B: ${metricValue(atEnd, 'warehouse_rows_written_total', { table: 'statements' })} rows written, ` +
          `${metricValue(atEnd, 'warehouse_duplicates_skipped_total')} duplicates skipped; ` +
          `second sheets upload: ${secondUpload.sheets.rowsAlreadyStored} rows already stored; ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    } finally {
      await warehouse.close();
    }
  });
});
