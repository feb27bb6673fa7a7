import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  InProcessBus,
  KafkaBatchServer,
  KafkaProducer,
  createKafkaClient,
  ensureTopics,
  kafkaSettingsFromEnv,
  type BatchHandler,
  type MessageProducer,
} from '@app/bus';
import {
  topicDeclarations,
  topics,
  type EnrichedStatementValue,
  type LearnerChangedValue,
  type ReceivedStatementValue,
} from '@app/contracts';
import type { LearnerDirectory } from '@app/enrichment';
import {
  CredentialStore,
  LrsModule,
  WarehouseAttachmentStore,
  AcknowledgedIsStored,
  PendingStatements,
  StatementReader,
  WarehouseStatementLookup,
  hasScope,
  loadCredentials,
  lrsOptionsFromEnv,
} from '@app/lrs';
import { OpenApiModule } from '@app/lrs/openapi.module';
import {
  InsightsModule,
  ResearchService,
  consistentThroughFrom,
  loadResearchCredentials,
} from '@app/insights';
import { HealthRegistry, JsonLogger, ObservabilityModule, PipelineMetrics } from '@app/observability';
import {
  consumerMetricsFor,
  createEnrichStep,
  createLearnerChangeStep,
  createSinkStep,
  voidedRecountOption,
} from '@app/pipeline';
import { ReferenceIndex } from '@app/reference';
import { LearnerRegistry, RegistryModule, basicRegistryAuth } from '@app/registry';
import {
  DocumentStore,
  loadReferenceDimensions,
  openWarehouse,
  recoverAggregatesAfterCrash,
  storeDeadLetters,
  type Warehouse,
} from '@app/warehouse';
import { ViewerModule } from '@app/viewer';
import { isEmptyStore } from './demo';
import type { StandaloneEnv } from './standalone.config';

export const SERVICE_NAME = 'standalone';

export interface RunningStandalone {
  readonly app: NestFastifyApplication;
  /** The store held neither statements nor learners when this process started. */
  readonly emptyAtStart: boolean;
  readonly reference: ReferenceIndex;
  readonly url: string;
  readonly warehouse: Warehouse;
  readonly credentials: CredentialStore;
  readonly registry: LearnerRegistry;
  readonly directory: LearnerDirectory;
  readonly metrics: PipelineMetrics;
  readonly logger: JsonLogger;
  /** Stops taking requests, finishes the work in hand, closes the consumers and the warehouse. */
  close(): Promise<void>;
}

@Module({})
class StandaloneModule {
  static forRoot(imports: DynamicModule[]): DynamicModule {
    return { module: StandaloneModule, imports };
  }
}

interface Transport {
  readonly producer: MessageProducer;
  /** Whether the sink must record Kafka watermarks (the in-process bus acknowledges only durable writes). */
  readonly watermarks: boolean;
  /** Starts delivering to the steps (Kafka: joins the consumer groups). */
  start(steps: Steps): Promise<void>;
  close(): Promise<void>;
}

interface Steps {
  readonly enrich: BatchHandler<ReceivedStatementValue>;
  readonly sink: BatchHandler<EnrichedStatementValue>;
  readonly learnerChanges: BatchHandler<LearnerChangedValue>;
}

/**
 * The whole pipeline in one process: the xAPI Statement API and the learner registry on one port, the
 * enricher and the sink behind them. In-process, a POST returns only after its statements are in
 * ClickHouse; with TRANSPORT=kafka, after Kafka acknowledged them (as the distributed gateway does).
 */
export async function startStandalone(env: StandaloneEnv): Promise<RunningStandalone> {
  const logger = new JsonLogger(SERVICE_NAME, env.LOG_LEVEL);
  const metrics = new PipelineMetrics({ service: SERVICE_NAME });
  const health = new HealthRegistry();
  const reference = await ReferenceIndex.load(env.REFERENCE_DATA_DIR);
  const { inconsistencies } = reference.data;
  if (inconsistencies.length > 0) {
    // Real data has errors (the 2015 budget table's own totals disagree); report them, do not hide them.
    logger.event('warn', `reference data: ${inconsistencies.length} inconsistencies`, {
      inconsistencies: inconsistencies.map((i) => `${i.file}: ${i.message}`),
    });
  }

  const warehouse = await openWarehouse(env);
  // The embedded engine dies with this process; after a crash, recount the aggregates before consuming.
  const recovery =
    env.WAREHOUSE === 'chdb'
      ? await recoverAggregatesAfterCrash(warehouse, join(env.DATA_DIR, 'running.marker'), (reason) =>
          logger.event('warn', 'rebuilding the aggregates from statements', { reason }),
        )
      : undefined;
  // The dashboards join on these; they follow the reference files at every start.
  await loadReferenceDimensions(warehouse, reference.data);
  const emptyAtStart = await isEmptyStore(warehouse);
  health.register('warehouse', async () => {
    await warehouse.query('SELECT 1 AS ok');
    return { status: 'up' };
  });
  // Aborted on close: stops the sink step's voided-statement recount timer.
  const stopping = new AbortController();
  const transport =
    env.TRANSPORT === 'kafka'
      ? await kafkaTransport(env, metrics, health)
      : inProcessTransport(warehouse, metrics);

  const registry = new LearnerRegistry({ warehouse, producer: transport.producer, reference });
  const directory = await registry.loadDirectory();
  await transport.start({
    enrich: createEnrichStep({
      producer: transport.producer,
      reference,
      learners: directory,
      metrics,
    }),
    sink: createSinkStep({
      warehouse,
      consumerGroup: env.SINK_GROUP_ID,
      metrics,
      recordWatermarks: transport.watermarks,
      minInsertIntervalMs: env.SINK_MIN_INSERT_INTERVAL_MS ?? (env.TRANSPORT === 'kafka' ? 250 : 0),
      recountVoided: voidedRecountOption(env.VOIDED_RECOUNT_INTERVAL_MS, stopping.signal, logger),
    }),
    learnerChanges: createLearnerChangeStep(directory),
  });

  const credentials = await loadCredentials(env, reference);
  // The research API on the same port, with researcher credentials of its own (separate from partners').
  const research = new ResearchService({
    warehouse,
    registry,
    minCellLearners: env.RESEARCH_MIN_CELL_LEARNERS,
    closeAfterDays: env.RESEARCH_CLOSE_AFTER_DAYS,
    consistentThrough: consistentThroughFrom(
      warehouse,
      transport.watermarks
        ? {
            kind: 'watermarks',
            consumerGroup: env.SINK_GROUP_ID,
            topic: topics.statementsEnriched.name,
            partitions: topics.statementsEnriched.defaultPartitions,
          }
        : { kind: 'clock', marginMs: env.RESEARCH_CUT_MARGIN_MS },
    ),
  });
  const researchCredentials = await loadResearchCredentials(env);
  const app = await NestFactory.create<NestFastifyApplication>(
    StandaloneModule.forRoot([
      ObservabilityModule.forRoot({ service: SERVICE_NAME, metrics, health }),
      OpenApiModule.forRoot(),
      LrsModule.forRoot({
        producer: transport.producer,
        lookup: new WarehouseStatementLookup(warehouse),
        // In-process, an acknowledged statement is already stored; through Kafka it is readable once the sink wrote it.
        reader: new StatementReader({
          warehouse,
          consistency: transport.watermarks ? new PendingStatements(warehouse) : new AcknowledgedIsStored(),
        }),
        attachments: new WarehouseAttachmentStore(warehouse),
        documents: new DocumentStore(warehouse),
        credentials,
        reference,
        logger,
        ...lrsOptionsFromEnv(env),
      }),
      RegistryModule.forRoot({
        registry,
        auth: basicRegistryAuth({ verify: (key, secret) => credentials.verify(key, secret), hasScope }),
      }),
      InsightsModule.forRoot({ research, credentials: researchCredentials }),
      // The dashboards in the browser (GET /): no Grafana can reach the embedded engine.
      await ViewerModule.forRoot({
        warehouse,
        // No Prometheus here: the pipeline-health panels read this process's own metrics, sampled in memory.
        metrics: metrics.registry,
        metricsIntervalMs: 5000,
        authenticate: async (key, secret) => {
          const credential = await credentials.verify(key, secret);
          if (credential === undefined) return false;
          return hasScope(credential, 'dashboards/read') || hasScope(credential, 'all/read');
        },
      }),
    ]),
    new FastifyAdapter({ bodyLimit: env.XAPI_BODY_LIMIT_BYTES }),
    { logger, abortOnError: false },
  );
  await app.listen({ port: env.PORT, host: env.HOST });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : env.PORT;
  const url = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${port}`;

  return {
    app,
    emptyAtStart,
    reference,
    url,
    warehouse,
    credentials,
    registry,
    directory,
    metrics,
    logger,
    close: async () => {
      stopping.abort();
      await app.close();
      await transport.close();
      recovery?.markCleanStop();
      await warehouse.close();
    },
  };
}

/**
 * The embedded default: `send` runs the next step directly and resolves when it is done, so the gateway's
 * acknowledgement means "in ClickHouse". Dead letters are stored in the `dead_letters` table.
 */
function inProcessTransport(warehouse: Warehouse, metrics: PipelineMetrics): Transport {
  const bus = new InProcessBus({
    name: SERVICE_NAME,
    metrics: consumerMetricsFor(metrics),
    deadLetterSink: (records) =>
      storeDeadLetters(
        warehouse,
        records.map((record) => ({
          failedAt: record.metadata.failedAt,
          sourceTopic: record.metadata.sourceTopic,
          sourcePartition: Number(record.metadata.sourcePartition),
          sourceOffset: record.metadata.sourceOffset,
          consumerGroup: record.metadata.consumerGroup,
          errorClass: record.metadata.errorClass,
          reason: record.metadata.reason,
          key: record.key,
          value: record.value,
        })),
      ),
  });
  return {
    producer: bus,
    watermarks: false,
    start: async (steps) => {
      bus.subscribe(topics.learnersChanged.name, steps.learnerChanges);
      bus.subscribe(topics.statementsReceived.name, steps.enrich);
      bus.subscribe(topics.statementsEnriched.name, steps.sink);
    },
    close: async () => bus.close(),
  };
}

/** The same steps through Kafka: three consumer groups in this one process, like the distributed services. */
async function kafkaTransport(
  env: StandaloneEnv,
  metrics: PipelineMetrics,
  health: HealthRegistry,
): Promise<Transport> {
  const settings = kafkaSettingsFromEnv({ ...env, KAFKA_BROKERS: env.KAFKA_BROKERS ?? [] }, SERVICE_NAME);
  const kafka = createKafkaClient(settings.client);
  await ensureTopics(kafka, topicDeclarations(), { replicationFactor: settings.replicationFactor });
  const producer = new KafkaProducer(kafka, settings.producer);
  await producer.connect();
  const common = {
    kafka,
    deadLetterProducer: producer,
    retry: settings.retry,
    metrics: consumerMetricsFor(metrics),
    ...settings.consumer,
  };
  // Every instance must see every registry change, so the change feed gets a group of its own.
  const servers = {
    learnerChanges: new KafkaBatchServer({
      ...common,
      groupId: `standalone-learners-${randomBytes(4).toString('hex')}`,
    }),
    enrich: new KafkaBatchServer({ ...common, groupId: env.ENRICHER_GROUP_ID }),
    sink: new KafkaBatchServer({ ...common, groupId: env.SINK_GROUP_ID }),
  };
  for (const [name, server] of Object.entries(servers)) {
    let status = 'starting';
    server.status.subscribe((next) => (status = String(next)));
    health.register(`consumer-${name}`, () =>
      status === 'connected' ? { status: 'up' } : { status: 'down', detail: status },
    );
  }
  return {
    producer,
    watermarks: true,
    start: async (steps) => {
      servers.learnerChanges.registerHandler(topics.learnersChanged.name, steps.learnerChanges);
      servers.enrich.registerHandler(topics.statementsReceived.name, steps.enrich);
      servers.sink.registerHandler(topics.statementsEnriched.name, steps.sink);
      for (const server of Object.values(servers)) {
        await new Promise<void>((resolve, reject) =>
          server.listen((error?: unknown) => (error ? reject(error) : resolve())),
        );
      }
    },
    close: async () => {
      for (const server of Object.values(servers)) await server.close();
      await producer.disconnect();
    },
  };
}
