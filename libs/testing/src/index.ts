// Test helpers. Nothing here imports Jest globals, so it is safe to import from scripts as well.
export { freePort } from './free-port';
export { expectEventually, pollUntil, PollTimeoutError, type PollOptions } from './poll';
export { uniqueTopic } from './unique-topic';
export {
  ensureKafkaJars,
  KafkaHarnessError,
  KafkaPrerequisiteMissingError,
  KAFKA_INFRA_DIR,
  startKafkaBroker,
  stopKafkaBroker,
  waitForKafkaReady,
  type RunningKafkaBroker,
  type StartKafkaBrokerOptions,
  type StopOptions,
} from './kafka-broker';
export {
  isTestBrokerRunning,
  restartTestBroker,
  startTestBroker,
  stopTestBroker,
  TEST_BROKER_STATE_ENV,
  testKafkaBrokers,
} from './test-broker';
export { startIsolatedKafka, type IsolatedKafka } from './isolated-broker';
export * from './python-tools';
export * from './chromium';
