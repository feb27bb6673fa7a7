/**
 * Backbone throughput: enriched statements produced to Kafka → committed rows in ClickHouse (chdb).
 *
 *   node -r @swc-node/register bench/backbone.ts [statements=50000] [runs=3]
 *
 * Starts its own broker unless KAFKA_BROKERS is set. Each run uses a fresh consumer group and a fresh chdb
 * directory; the clock starts when the sink starts (the backlog is already in Kafka) and stops when every
 * statement is in ClickHouse and the group's offsets are committed. Reports the median and spread.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { KafkaProducer, createKafkaClient, ensureTopics } from '@app/bus';
import { encodeMessage, topicDeclarations, topics } from '@app/contracts';
import { loadConfig } from '@app/config';
import { enrichedMessageFixture } from '@app/pipeline/testing/enriched-message.fixture';
import { freePort, pollUntil, startKafkaBroker } from '@app/testing';
import { ChdbWarehouse, runMigrations } from '@app/warehouse';
import { sinkEnvSchema } from '../apps/sink/src/sink.config';
import { startSink } from '../apps/sink/src/sink.app';

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 50_000);
  const runs = Number(process.argv[3] ?? 3);
  let brokers = process.env.KAFKA_BROKERS;
  let stopBroker: (() => Promise<void>) | undefined;
  const kafkaDir = mkdtempSync(join(tmpdir(), 'bench-kafka-'));
  if (!brokers) {
    const broker = await startKafkaBroker({ port: await freePort(), dataDir: kafkaDir });
    brokers = broker.brokers;
    stopBroker = () => broker.stop();
  }
  const kafka = createKafkaClient({ brokers: brokers.split(','), clientId: 'bench-backbone' });
  await ensureTopics(kafka, topicDeclarations());
  const producer = new KafkaProducer(kafka, { lingerMs: 5 });
  await producer.connect();

  const rates: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    // A fresh topic backlog per run would need a fresh topic; instead each run reads the whole topic from a
    // new group and counts only its own ids, so earlier runs' messages are part of the work measured.
    const ids: string[] = [];
    const produceStart = process.hrtime.bigint();
    for (let sent = 0; sent < total; sent += 1000) {
      const messages = Array.from({ length: Math.min(1000, total - sent) }, (_, i) => {
        const fixture = enrichedMessageFixture({ email: `bench-${(sent + i) % 5000}@example.org` });
        ids.push(fixture.value.statement.id as string);
        return encodeMessage(topics.statementsEnriched, { key: fixture.key as string, value: fixture.value });
      });
      await producer.send(topics.statementsEnriched.name, messages);
    }
    const produceSeconds = Number(process.hrtime.bigint() - produceStart) / 1e9;

    const dir = mkdtempSync(join(tmpdir(), 'bench-chdb-'));
    const warehouse = new ChdbWarehouse(dir);
    await runMigrations(warehouse);
    const group = `bench-${randomUUID()}`;
    const env = loadConfig(sinkEnvSchema, {
      KAFKA_BROKERS: brokers,
      SINK_GROUP_ID: group,
      PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    });
    const started = process.hrtime.bigint();
    const sink = await startSink({ env, warehouse });
    const backlog = (run + 1) * total;
    await pollUntil(
      async () => {
        const [row] = await warehouse.query<{ n: string }>('SELECT count() AS n FROM statements');
        return Number(row.n) >= backlog;
      },
      { timeoutMs: 600_000, intervalMs: 200, description: 'all rows written' },
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await sink.close();
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
    rates.push(backlog / seconds);
    console.log(
      `run ${run + 1}: produced ${total} in ${produceSeconds.toFixed(1)} s (${Math.round(total / produceSeconds)}/s); ` +
        `sink wrote ${backlog} in ${seconds.toFixed(1)} s = ${Math.round(backlog / seconds)} statements/s`,
    );
  }
  await producer.disconnect();
  await stopBroker?.();
  rmSync(kafkaDir, { recursive: true, force: true });
  // One machine-readable line for bench/run.ts.
  console.log(`RESULT ${JSON.stringify({ rates })}`);
  const sorted = [...rates].sort((a, b) => a - b);
  console.log(
    `backbone (Kafka → sink → chdb): median ${Math.round(sorted[Math.floor(sorted.length / 2)])} statements/s ` +
      `(min ${Math.round(sorted[0])}, max ${Math.round(sorted[sorted.length - 1])}); ` +
      `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
