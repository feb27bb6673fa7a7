import {
  createKafkaClient,
  ensureTopics,
  KafkaProducer,
  kafkaSettingsFromEnv,
  type KafkaBatchServer,
} from '@app/bus';
import { topicDeclarations, topics } from '@app/contracts';
import type { LearnerDirectory } from '@app/enrichment';
import { HealthRegistry, JsonLogger, PipelineMetrics } from '@app/observability';
import { ReferenceIndex } from '@app/reference';
import { loadLearnerDirectory } from '@app/registry';
import { openWarehouse, type Warehouse } from '@app/warehouse';
import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { learnerFeedGroupId, type EnricherConfig } from './enricher.config';
import { EnricherModule, SERVICE_NAME } from './enricher.module';
import { consumerMetricsOf } from './consumer-metrics';
import { TopicKafkaBatchServer } from './topic-kafka-batch-server';

export interface EnricherOverrides {
  /** An open warehouse holding `dim_learners` (tests, or a host that owns one); not closed by the enricher. */
  readonly warehouse?: Warehouse;
  readonly logger?: LoggerService;
  readonly metrics?: PipelineMetrics;
}

export interface RunningEnricher {
  /** Initialised and consuming; `listen` it for /health and /metrics. */
  readonly app: NestFastifyApplication;
  readonly directory: LearnerDirectory;
  /** Stops consuming (the batches in hand are finished and committed), then disconnects the producer. */
  close(): Promise<void>;
}

/**
 * Starts the enricher: loads the learner directory from `dim_learners` (so a restarted enricher is not
 * empty), then consumes two topics with two consumer groups:
 *
 * - `registry.learners.changed.v1` in a group of this instance's own, from the beginning, so every
 *   instance applies every change (replays are harmless: the directory is last-writer-wins);
 * - `xapi.statements.received.v1` in the shared group, so instances split the partitions.
 *
 * Both are KafkaBatchServers connected to one Nest app with one controller; each takes only its topic.
 */
export async function startEnricher(
  config: EnricherConfig,
  overrides: EnricherOverrides = {},
): Promise<RunningEnricher> {
  const logger = overrides.logger ?? new JsonLogger(SERVICE_NAME, config.LOG_LEVEL);
  const metrics = overrides.metrics ?? new PipelineMetrics({ service: SERVICE_NAME });
  const health = new HealthRegistry();
  const reference = await ReferenceIndex.load(config.REFERENCE_DATA_DIR);

  const directory = await loadDirectory(config, overrides.warehouse);
  logger.log(
    `learner directory loaded: ${directory.size} learners, ${directory.identityCount} identities`,
    SERVICE_NAME,
  );
  health.register('learner-directory', () => ({ status: 'up', detail: `${directory.size} learners` }));

  const settings = kafkaSettingsFromEnv(config, SERVICE_NAME);
  const kafka = createKafkaClient(settings.client);
  if (config.KAFKA_ENSURE_TOPICS) {
    await ensureTopics(kafka, topicDeclarations(), { replicationFactor: settings.replicationFactor });
  }
  const producer = new KafkaProducer(kafka, settings.producer);
  await producer.connect();

  let app: NestFastifyApplication | undefined;
  try {
    app = await NestFactory.create<NestFastifyApplication>(
      EnricherModule.forRoot({ producer, reference, directory, metrics, health }),
      new FastifyAdapter(),
      { logger, abortOnError: false },
    );
    const common = {
      kafka,
      deadLetterProducer: producer,
      retry: settings.retry,
      metrics: consumerMetricsOf(metrics),
      ...settings.consumer,
    };
    const learnerFeed = new TopicKafkaBatchServer([topics.learnersChanged.name], {
      ...common,
      groupId: learnerFeedGroupId(config),
      fromBeginning: true,
    });
    const statements = new TopicKafkaBatchServer([topics.statementsReceived.name], {
      ...common,
      groupId: config.ENRICHER_GROUP_ID,
    });
    // Changes first: the statements consumer then starts with the snapshot plus whatever the feed has.
    app.connectMicroservice({ strategy: learnerFeed }, { inheritAppConfig: true });
    app.connectMicroservice({ strategy: statements }, { inheritAppConfig: true });
    registerConsumerHealth(health, 'consumer-learner-feed', learnerFeed);
    registerConsumerHealth(health, 'consumer-statements', statements);
    await app.startAllMicroservices();
    await app.init();
  } catch (error) {
    await app?.close();
    await producer.disconnect();
    throw error;
  }

  const running = app;
  return {
    app: running,
    directory,
    close: async () => {
      await running.close();
      await producer.disconnect();
    },
  };
}

async function loadDirectory(
  config: EnricherConfig,
  shared: Warehouse | undefined,
): Promise<LearnerDirectory> {
  if (shared) return loadLearnerDirectory(shared);
  // Read once at start; the change feed does the rest, so the connection is not kept.
  const warehouse = await openWarehouse(config);
  try {
    return await loadLearnerDirectory(warehouse);
  } finally {
    await warehouse.close();
  }
}

function registerConsumerHealth(health: HealthRegistry, name: string, server: KafkaBatchServer): void {
  let status = 'disconnected';
  server.status.subscribe((next) => (status = String(next)));
  health.register(name, () =>
    status === 'connected' ? { status: 'up' } : { status: 'down', detail: `consumer ${status}` },
  );
}
