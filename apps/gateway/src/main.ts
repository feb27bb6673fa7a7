import 'reflect-metadata';
import { createKafkaClient, ensureTopics, KafkaProducer, kafkaSettingsFromEnv } from '@app/bus';
import { loadConfig } from '@app/config';
import { topicDeclarations, topics } from '@app/contracts';
import {
  InMemoryStatementLookup,
  PendingStatements,
  StatementReader,
  sinkWatermark,
  WarehouseAttachmentStore,
  WarehouseStatementLookup,
  type StatementLookup,
  loadCredentials,
} from '@app/lrs';
import { HealthRegistry, JsonLogger, PipelineMetrics, runService } from '@app/observability';
import { ReferenceIndex } from '@app/reference';
import { LearnerRegistry } from '@app/registry';
import { DocumentStore, openWarehouse, type Warehouse } from '@app/warehouse';
import { createGatewayApp, SERVICE_NAME } from './gateway.app';
import { gatewayEnvSchema } from './gateway.config';

async function main(): Promise<{ logger: JsonLogger; stop: () => Promise<void> }> {
  const config = loadConfig(gatewayEnvSchema);
  const logger = new JsonLogger(SERVICE_NAME, config.LOG_LEVEL);
  const reference = await ReferenceIndex.load(config.REFERENCE_DATA_DIR);
  const credentials = await loadCredentials(config, reference);
  const metrics = new PipelineMetrics({ service: SERVICE_NAME });
  const health = new HealthRegistry();

  const kafkaSettings = kafkaSettingsFromEnv(config, SERVICE_NAME);
  const kafka = createKafkaClient(kafkaSettings.client);
  if (config.KAFKA_ENSURE_TOPICS) {
    await ensureTopics(kafka, topicDeclarations(), { replicationFactor: kafkaSettings.replicationFactor });
  }
  const producer = new KafkaProducer(kafka, {
    ...kafkaSettings.producer,
    onFlush: ({ ok }) => {
      if (!ok) logger.event('warn', 'kafka produce failed', { topic: topics.statementsReceived.name });
    },
  });
  await producer.connect();

  let warehouse: Warehouse | undefined;
  let lookup: StatementLookup;
  let registry: LearnerRegistry | undefined;
  let attachments: WarehouseAttachmentStore | undefined;
  let reader: StatementReader | undefined;
  let documents: DocumentStore | undefined;
  if (config.XAPI_CONFLICT_LOOKUP === 'warehouse') {
    warehouse = await openWarehouse(config);
    const opened = warehouse;
    lookup = new WarehouseStatementLookup(opened);
    attachments = new WarehouseAttachmentStore(opened);
    if (config.XAPI_DOCUMENTS === 'serve') documents = new DocumentStore(opened);
    // Read-your-writes for this gateway's own acks; other writers are covered by the sink's watermarks.
    const enriched = topics.statementsEnriched.name;
    reader = new StatementReader({
      warehouse: opened,
      consistency: new PendingStatements(opened, {
        watermark: sinkWatermark(opened, {
          consumerGroup: config.SINK_GROUP_ID,
          topic: enriched,
          partitions: topicDeclarations().find((t) => t.name === enriched)?.partitions ?? 1,
        }),
      }),
    });
    // The learner registry lives in the same warehouse; its changes go to the enrichers through Kafka.
    registry = new LearnerRegistry({ warehouse: opened, producer, reference });
    health.register('warehouse', async () => {
      await opened.query('SELECT 1 AS ok');
      return { status: 'up' };
    });
  } else {
    logger.event(
      'warn',
      'conflict check uses only recently accepted statements (XAPI_CONFLICT_LOOKUP=recent-only)',
    );
    lookup = new InMemoryStatementLookup();
  }

  const app = await createGatewayApp({
    config,
    producer,
    lookup,
    reader,
    attachments,
    documents,
    credentials,
    reference,
    logger,
    metrics,
    health,
    registry,
  });
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.event('info', 'gateway listening', {
    port: config.PORT,
    credentials: credentials.size,
    lookup: config.XAPI_CONFLICT_LOOKUP,
    brokers: config.KAFKA_BROKERS,
  });

  return {
    logger,
    stop: async () => {
      // Stop taking requests first; in-flight requests finish, then the producer flushes and disconnects.
      await app.close();
      await producer.disconnect();
      await warehouse?.close();
    },
  };
}

runService('gateway', main);
