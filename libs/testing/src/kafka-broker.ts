import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from './free-port';
import { pollUntil } from './poll';

/** infra/kafka: pom.xml, the cached jars (lib/) and the default data dir of `npm run kafka:up` (run/). */
export const KAFKA_INFRA_DIR = resolve(__dirname, '../../../infra/kafka');
const LIB_DIR = join(KAFKA_INFRA_DIR, 'lib');
const POM_FILE = join(KAFKA_INFRA_DIR, 'pom.xml');
/** Written after a successful Maven copy; holds the pom hash so an edited pom triggers a new download. */
const LIB_COMPLETE_MARKER = join(LIB_DIR, '.complete');

const NODE_ID = 1;
const MIN_JAVA_MAJOR = 17;

export class KafkaHarnessError extends Error {
  override readonly name: string = 'KafkaHarnessError';
}

/** Java or Maven is not installed; the message says what to install. */
export class KafkaPrerequisiteMissingError extends KafkaHarnessError {
  override readonly name = 'KafkaPrerequisiteMissingError';
}

export interface StartKafkaBrokerOptions {
  /** Client (PLAINTEXT) port on 127.0.0.1. */
  port: number;
  /**
   * Directory owning everything of this broker: config, Kafka log dirs, broker.log, broker.json (pid, ports).
   * Starting again with the same dataDir keeps topics, data and the controller port.
   */
  dataDir: string;
  /** KRaft controller port; default: the one recorded in dataDir, else a free port. */
  controllerPort?: number;
  /** How long to wait for the broker to answer a Kafka metadata request (default 90 s). */
  readyTimeoutMs?: number;
  /** JVM max heap (default 512). */
  heapMb?: number;
  /** Tune the JVM for startup time rather than peak throughput (default true; use false for benchmarks). */
  fastStart?: boolean;
  /**
   * Kill the broker when the process with this pid is gone (e.g. the Jest main process), so an interrupted
   * test run (Ctrl-C, `timeout`) leaves no JVM behind. Default: the broker lives until stopped.
   */
  stopWhenProcessExits?: number;
}

export interface StopOptions {
  /** SIGTERM does a controlled shutdown (default); SIGKILL simulates a crash. */
  signal?: 'SIGTERM' | 'SIGKILL';
  /** After this long a SIGTERM is followed by SIGKILL (default 30 s). */
  timeoutMs?: number;
}

export interface RunningKafkaBroker {
  /** Bootstrap string for clients, e.g. "127.0.0.1:9092". */
  brokers: string;
  port: number;
  controllerPort: number;
  dataDir: string;
  pid: number;
  logFile: string;
  stop(options?: StopOptions): Promise<void>;
}

/** Persisted in <dataDir>/broker.json so another process (CLI, Jest worker) can find and stop the broker. */
export interface BrokerRecord {
  clusterId: string;
  port: number;
  controllerPort: number;
  pid: number | null;
}

const recordFile = (dataDir: string): string => join(dataDir, 'broker.json');
const pidFile = (dataDir: string): string => join(dataDir, 'kafka.pid');
export const brokerLogFile = (dataDir: string): string => join(dataDir, 'broker.log');

export function readBrokerRecord(dataDir: string): BrokerRecord | undefined {
  const file = recordFile(dataDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as BrokerRecord;
}

function writeBrokerRecord(dataDir: string, record: BrokerRecord): void {
  writeFileSync(recordFile(dataDir), `${JSON.stringify(record, null, 2)}\n`);
  if (record.pid === null) rmSync(pidFile(dataDir), { force: true });
  else writeFileSync(pidFile(dataDir), `${record.pid}\n`);
}

function javaMajorVersion(): number {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new KafkaPrerequisiteMissingError(
      `Kafka needs Java ${MIN_JAVA_MAJOR}+ but \`java\` was not found (${result.error.message}). ` +
        'Install it: apt-get install openjdk-17-jre-headless maven',
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr);
  if (!match) throw new KafkaHarnessError(`Cannot parse \`java -version\` output: ${result.stderr}`);
  // Java 8 and older report "1.8"
  return match[1] === '1' ? Number(match[2]) : Number(match[1]);
}

function assertJava(): void {
  const major = javaMajorVersion();
  if (major < MIN_JAVA_MAJOR) {
    throw new KafkaPrerequisiteMissingError(
      `Kafka 4 needs Java ${MIN_JAVA_MAJOR}+, found Java ${major}. Install it: apt-get install openjdk-17-jre-headless`,
    );
  }
}

function pomHash(): string {
  return createHash('sha256').update(readFileSync(POM_FILE)).digest('hex');
}

/**
 * Makes sure infra/kafka/lib holds the broker jars for the current pom.xml, running Maven only when it does
 * not. Returns the lib dir.
 */
export function ensureKafkaJars(): string {
  assertJava();
  const wanted = pomHash();
  if (existsSync(LIB_COMPLETE_MARKER) && readFileSync(LIB_COMPLETE_MARKER, 'utf8').trim() === wanted) {
    return LIB_DIR;
  }
  // Download into a private dir and rename, so a concurrent start never sees half a classpath.
  const stagingDir = `${LIB_DIR}.tmp-${process.pid}`;
  rmSync(stagingDir, { recursive: true, force: true });
  const started = Date.now();
  const maven = spawnSync(
    'mvn',
    ['-q', '-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${stagingDir}`],
    { cwd: KAFKA_INFRA_DIR, encoding: 'utf8' },
  );
  if (maven.error) {
    throw new KafkaPrerequisiteMissingError(
      `The Kafka jars are not cached in ${LIB_DIR} and \`mvn\` was not found (${maven.error.message}). ` +
        'Install it: apt-get install maven openjdk-17-jre-headless',
    );
  }
  if (maven.status !== 0) {
    rmSync(stagingDir, { recursive: true, force: true });
    throw new KafkaHarnessError(
      `Maven could not fetch the Kafka jars (exit ${maven.status}):\n${maven.stdout}\n${maven.stderr}`,
    );
  }
  writeFileSync(join(stagingDir, '.complete'), `${wanted}\n`);
  rmSync(LIB_DIR, { recursive: true, force: true });
  renameSync(stagingDir, LIB_DIR);
  process.stderr.write(`[kafka-broker] fetched Kafka jars with Maven in ${Date.now() - started} ms\n`);
  return LIB_DIR;
}

/**
 * Base64url of 16 random bytes, the format `kafka-storage random-uuid` produces; like Kafka, never starting
 * with '-' (the CLI would read it as an option).
 */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  const settings: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': NODE_ID,
    'controller.quorum.voters': `${NODE_ID}@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': join(dataDir, 'kafka-logs'),
    // Topics must be created explicitly, as in production.
    'auto.create.topics.enable': false,
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 3,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // Test-friendly group timings: first rebalance immediately, allow short consumer session timeouts.
    'group.initial.rebalance.delay.ms': 0,
    'group.min.session.timeout.ms': 1000,
    'log.segment.bytes': 8 * 1024 * 1024,
    'log.retention.check.interval.ms': 60_000,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'delete.topic.enable': true,
  };
  return `${Object.entries(settings)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join('\n')}\n`;
}

const LOG4J2_PROPERTIES = `# Broker log goes to stdout, which the harness redirects to broker.log
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka_request.name = kafka.request.logger
logger.kafka_request.level = WARN
logger.state_change.name = state.change.logger
logger.state_change.level = WARN
`;

/** The first ERROR (usually the cause) and the last lines of the broker log, for startup failures. */
function logExcerpt(logFile: string, tailLines = 30): string {
  if (!existsSync(logFile)) return '(no log file)';
  const lines = readFileSync(logFile, 'utf8').split('\n');
  const firstError = lines.findIndex((line) => / ERROR /.test(line));
  const cause =
    firstError >= 0 ? `First error:\n${lines.slice(firstError, firstError + 12).join('\n')}\n...\n` : '';
  return `${cause}Last lines:\n${lines.slice(-tailLines).join('\n')}`;
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * C1-only JIT and the serial GC: about a second faster to start on a small shared machine, at the cost of
 * peak throughput (keep them off for benchmarks).
 */
const FAST_START_JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

function runJava(
  classpath: string,
  args: string[],
  dataDir: string,
  heapMb: number,
  fastStart: boolean,
  out: number,
) {
  return spawn(
    'java',
    [
      `-Xmx${heapMb}m`,
      '-Xms128m',
      ...(fastStart ? FAST_START_JVM_OPTIONS : ['-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20']),
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.properties')}`,
      `-Dkafka.logs.dir=${dataDir}`,
      '-cp',
      classpath,
      ...args,
    ],
    { cwd: dataDir, detached: true, stdio: ['ignore', out, out] },
  );
}

function formatStorage(classpath: string, dataDir: string, clusterId: string, heapMb: number): void {
  const configFile = join(dataDir, 'server.properties');
  const result = spawnSync(
    'java',
    [
      `-Xmx${Math.min(heapMb, 256)}m`,
      ...FAST_START_JVM_OPTIONS,
      `-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.properties')}`,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      `--cluster-id=${clusterId}`,
      `--config=${configFile}`,
      '--ignore-formatted',
    ],
    { cwd: dataDir, encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new KafkaHarnessError(
      `kafka-storage format failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}

// Runs in its own small node process: polls the owner and ends the broker once the owner is gone.
const WATCHDOG_SCRIPT = `
const [owner, broker] = process.argv.slice(1).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const timer = setInterval(() => {
  if (!alive(broker)) process.exit(0);
  if (alive(owner)) return;
  clearInterval(timer);
  process.kill(broker, 'SIGTERM');
  setTimeout(() => { if (alive(broker)) process.kill(broker, 'SIGKILL'); process.exit(0); }, 15000);
}, 1000);
`;

function startWatchdog(ownerPid: number, brokerPid: number): void {
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT, String(ownerPid), String(brokerPid)], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
}

/**
 * One readiness attempt: true once the broker answers DescribeCluster and lists itself. Something that accepts
 * TCP but never answers Kafka requests can stall kafkajs, so each attempt is capped.
 */
async function answersDescribeCluster(brokers: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'kafka-harness-readiness',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  }).admin();
  let timer: NodeJS.Timeout | undefined;
  const attemptTimedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new KafkaHarnessError(`no Kafka answer from ${brokers} within 3 s`)),
      3000,
    );
  });
  const describe = (async () => {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.some((broker) => broker.nodeId === NODE_ID);
  })();
  try {
    return await Promise.race([describe, attemptTimedOut]);
  } finally {
    clearTimeout(timer);
    // A throwaway probe client: its late failure or disconnect error says nothing the race did not.
    describe.catch(() => undefined);
    admin.disconnect().catch(() => undefined);
  }
}

/** Resolves once the broker answers a real Kafka DescribeCluster request and lists itself. */
export async function waitForKafkaReady(
  brokers: string,
  options: { timeoutMs: number; isAlive?: () => boolean; logFile?: string },
): Promise<void> {
  const outcome = await pollUntil(
    async () => {
      if (options.isAlive && !options.isAlive()) return 'exited';
      return (await answersDescribeCluster(brokers)) && 'ready';
    },
    { timeoutMs: options.timeoutMs, intervalMs: 250, description: `Kafka broker at ${brokers} to be ready` },
  );
  if (outcome === 'exited') {
    throw new KafkaHarnessError(
      `Kafka broker exited during startup (log: ${options.logFile}).\n${logExcerpt(options.logFile ?? '')}`,
    );
  }
}

/**
 * Stops the broker recorded in dataDir (if it runs) and waits for the process to exit, so the port and the
 * log dirs are free afterwards.
 */
export async function stopKafkaBroker(dataDir: string, options: StopOptions = {}): Promise<void> {
  const record = readBrokerRecord(dataDir);
  if (!record || record.pid === null) return;
  const { pid } = record;
  const signal = options.signal ?? 'SIGTERM';
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (isProcessAlive(pid)) {
    process.kill(pid, signal);
    try {
      await pollUntil(() => !isProcessAlive(pid), {
        timeoutMs,
        intervalMs: 50,
        description: `Kafka broker pid ${pid} to exit after ${signal}`,
      });
    } catch (error: unknown) {
      if (signal === 'SIGKILL') throw error;
      process.kill(pid, 'SIGKILL');
      await pollUntil(() => !isProcessAlive(pid), {
        timeoutMs: 10_000,
        intervalMs: 50,
        description: `Kafka broker pid ${pid} to exit after SIGKILL`,
      });
    }
  }
  writeBrokerRecord(dataDir, { ...record, pid: null });
}

/**
 * Starts a single-node KRaft Kafka broker (broker and controller in one JVM) on 127.0.0.1 and resolves once
 * it serves Kafka requests. The JVM runs detached; call stop() (or stopKafkaBroker(dataDir) from any
 * process) to end it. Fails with KafkaPrerequisiteMissingError when Java or Maven is missing.
 */
export async function startKafkaBroker(options: StartKafkaBrokerOptions): Promise<RunningKafkaBroker> {
  const dataDir = resolve(options.dataDir);
  const heapMb = options.heapMb ?? 512;
  const libDir = ensureKafkaJars();
  mkdirSync(dataDir, { recursive: true });

  const previous = readBrokerRecord(dataDir);
  if (previous?.pid != null && isProcessAlive(previous.pid)) {
    throw new KafkaHarnessError(
      `A Kafka broker (pid ${previous.pid}) already runs on data dir ${dataDir}; stop it first`,
    );
  }
  const controllerPort = options.controllerPort ?? previous?.controllerPort ?? (await freePort());
  const clusterId = previous?.clusterId ?? newClusterId();
  const brokers = `127.0.0.1:${options.port}`;
  const logFile = brokerLogFile(dataDir);

  writeFileSync(join(dataDir, 'server.properties'), serverProperties(dataDir, options.port, controllerPort));
  writeFileSync(join(dataDir, 'log4j2.properties'), LOG4J2_PROPERTIES);
  const classpath = join(libDir, '*');
  if (!existsSync(join(dataDir, 'kafka-logs', 'meta.properties'))) {
    formatStorage(classpath, dataDir, clusterId, heapMb);
  }

  const out = openSync(logFile, 'a');
  const child = runJava(
    classpath,
    ['kafka.Kafka', join(dataDir, 'server.properties')],
    dataDir,
    heapMb,
    options.fastStart ?? true,
    out,
  );
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) {
    throw new KafkaHarnessError(`Could not spawn java for the Kafka broker; see ${logFile}`);
  }
  // The broker must not keep the starting process (CLI, Jest) alive.
  child.unref();
  writeBrokerRecord(dataDir, { clusterId, port: options.port, controllerPort, pid });
  if (options.stopWhenProcessExits !== undefined) startWatchdog(options.stopWhenProcessExits, pid);

  try {
    await waitForKafkaReady(brokers, {
      timeoutMs: options.readyTimeoutMs ?? 90_000,
      isAlive: () => isProcessAlive(pid),
      logFile,
    });
  } catch (error: unknown) {
    await stopKafkaBroker(dataDir, { signal: 'SIGKILL' });
    throw error;
  }

  return {
    brokers,
    port: options.port,
    controllerPort,
    dataDir,
    pid,
    logFile,
    stop: (stopOptions) => stopKafkaBroker(dataDir, stopOptions),
  };
}
