import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  isProcessAlive,
  KafkaHarnessError,
  readBrokerRecord,
  startKafkaBroker,
  stopKafkaBroker,
  type StopOptions,
} from './kafka-broker';

/** Env var holding the path of the JSON file that describes the broker Jest's global setup started. */
export const TEST_BROKER_STATE_ENV = 'KAFKA_TEST_BROKER_STATE';

export interface TestBrokerState {
  brokers: string;
  port: number;
  dataDir: string;
  /** True when global setup created dataDir and teardown should delete it. */
  ownsDataDir: boolean;
  /** The Jest main process; the broker is killed if it disappears without running teardown. */
  ownerPid: number;
}

export function writeTestBrokerState(file: string, state: TestBrokerState): void {
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

export function readTestBrokerState(): TestBrokerState {
  const file = process.env[TEST_BROKER_STATE_ENV];
  if (!file) {
    throw new KafkaHarnessError(
      `${TEST_BROKER_STATE_ENV} is not set: the broker was not started by the Jest integration global setup ` +
        '(KAFKA_BROKERS points at an external broker), so tests cannot stop or restart it',
    );
  }
  if (!existsSync(file)) throw new KafkaHarnessError(`Test broker state file ${file} does not exist`);
  return JSON.parse(readFileSync(file, 'utf8')) as TestBrokerState;
}

/** Whether the harness-managed test broker process is running right now. */
export function isTestBrokerRunning(): boolean {
  const record = readBrokerRecord(readTestBrokerState().dataDir);
  return record?.pid != null && isProcessAlive(record.pid);
}

/** Stops the test broker (by default a controlled shutdown; `{ signal: 'SIGKILL' }` simulates a crash). */
export async function stopTestBroker(options?: StopOptions): Promise<void> {
  await stopKafkaBroker(readTestBrokerState().dataDir, options);
}

/** Starts the test broker again on the same port and data dir; resolves when it serves requests. */
export async function startTestBroker(): Promise<void> {
  const state = readTestBrokerState();
  await startKafkaBroker({ port: state.port, dataDir: state.dataDir, stopWhenProcessExits: state.ownerPid });
}

/** Stops and starts the test broker; topics, data and committed offsets survive. */
export async function restartTestBroker(options?: StopOptions): Promise<void> {
  await stopTestBroker(options);
  await startTestBroker();
}

/**
 * The broker list integration tests must use. Throws when KAFKA_BROKERS is unset, so a test can never pass
 * because Kafka was absent.
 */
export function testKafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    throw new KafkaHarnessError(
      'KAFKA_BROKERS is not set: run integration tests through the Jest `integration` project ' +
        '(its global setup starts Kafka) or point KAFKA_BROKERS at a running broker',
    );
  }
  return brokers.split(',').map((broker) => broker.trim());
}
