// Thin CLI over libs/testing/src/kafka-broker.ts: `up` starts a local broker (data in infra/kafka/run) and
// returns once it serves requests; `down` stops it; `status` reports it. Run via `npm run kafka:up|down`.
import { join } from 'node:path';
import {
  brokerLogFile,
  isProcessAlive,
  KAFKA_INFRA_DIR,
  readBrokerRecord,
  startKafkaBroker,
  stopKafkaBroker,
  waitForKafkaReady,
} from '../../libs/testing/src/kafka-broker';

const dataDir = process.env.KAFKA_DATA_DIR ?? join(KAFKA_INFRA_DIR, 'run');
const port = Number(process.env.KAFKA_PORT ?? 9092);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`KAFKA_PORT must be a TCP port number, got ${process.env.KAFKA_PORT}`);
  process.exit(2);
}
// A long-lived local broker also serves benchmarks, so it gets the full JIT unless asked otherwise.
const fastStart = process.env.KAFKA_FAST_START === '1';

async function up(): Promise<void> {
  const record = readBrokerRecord(dataDir);
  if (record?.pid != null && isProcessAlive(record.pid)) {
    await waitForKafkaReady(`127.0.0.1:${record.port}`, { timeoutMs: 30_000 });
    console.log(`Kafka already running: 127.0.0.1:${record.port} (pid ${record.pid}, data ${dataDir})`);
    return;
  }
  const started = Date.now();
  const broker = await startKafkaBroker({ port, dataDir, fastStart });
  console.log(
    `Kafka ready in ${Date.now() - started} ms: KAFKA_BROKERS=${broker.brokers} ` +
      `(pid ${broker.pid}, log ${broker.logFile})`,
  );
}

async function down(): Promise<void> {
  const record = readBrokerRecord(dataDir);
  if (record?.pid == null || !isProcessAlive(record.pid)) {
    console.log('Kafka is not running');
    await stopKafkaBroker(dataDir); // clears a stale pid
    return;
  }
  await stopKafkaBroker(dataDir);
  console.log(`Kafka stopped (pid ${record.pid})`);
}

function status(): void {
  const record = readBrokerRecord(dataDir);
  if (record?.pid != null && isProcessAlive(record.pid)) {
    console.log(`Kafka running: 127.0.0.1:${record.port} (pid ${record.pid}, log ${brokerLogFile(dataDir)})`);
  } else {
    console.log('Kafka is not running');
    process.exitCode = 3;
  }
}

const commands: Record<string, () => void | Promise<void>> = { up, down, status };
const command = commands[process.argv[2] ?? ''];
if (!command) {
  console.error(
    'usage: kafka.ts up|down|status   (env: KAFKA_PORT=9092, KAFKA_DATA_DIR=infra/kafka/run, KAFKA_FAST_START=1)',
  );
  process.exit(2);
}
Promise.resolve(command()).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
