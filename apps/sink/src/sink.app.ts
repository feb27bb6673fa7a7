import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { Module, type DynamicModule } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  KafkaBatchServer,
  KafkaProducer,
  createKafkaClient,
  ensureTopics,
  kafkaSettingsFromEnv,
  type BatchHandler,
} from '@app/bus';
import { topicDeclarations, type EnrichedStatementValue } from '@app/contracts';
import { HealthRegistry, JsonLogger, ObservabilityModule, PipelineMetrics } from '@app/observability';
import { consumerMetricsFor, createSinkStep, voidedRecountOption } from '@app/pipeline';
import {
  loadReferenceDimensions,
  openWarehouse,
  recoverAggregatesAfterCrash,
  type Warehouse,
} from '@app/warehouse';
import { ReferenceIndex } from '@app/reference';
import { SINK_STEP, SinkController } from './sink.controller';
import type { SinkEnv } from './sink.config';

export interface SinkAppOptions {
  env: SinkEnv;
  /** Use this warehouse instead of opening the configured one (the caller closes it). */
  warehouse?: Warehouse;
  /** Wraps the sink step, e.g. to add behaviour around each batch. */
  wrapStep?: (step: BatchHandler<EnrichedStatementValue>) => BatchHandler<EnrichedStatementValue>;
}

export interface RunningSink {
  app: NestFastifyApplication;
  server: KafkaBatchServer;
  metrics: PipelineMetrics;
  logger: JsonLogger;
  warehouse: Warehouse;
  /** Finishes the batch in hand, commits, leaves the group, closes what it opened. */
  close(): Promise<void>;
}

@Module({})
class SinkModule {
  static forRoot(
    step: BatchHandler<EnrichedStatementValue>,
    metrics: PipelineMetrics,
    health: HealthRegistry,
  ): DynamicModule {
    return {
      module: SinkModule,
      imports: [ObservabilityModule.forRoot({ service: 'sink', metrics, health })],
      controllers: [SinkController],
      providers: [{ provide: SINK_STEP, useValue: step }],
    };
  }
}

/**
 * Starts the sink: consumes `xapi.statements.enriched.v1` in batches, writes them to ClickHouse and
 * commits offsets only after the insert; serves /health and /metrics on PORT.
 */
export async function startSink(options: SinkAppOptions): Promise<RunningSink> {
  const { env } = options;
  const logger = new JsonLogger('sink', env.LOG_LEVEL);
  const metrics = new PipelineMetrics({ service: 'sink' });
  const health = new HealthRegistry();
  const settings = kafkaSettingsFromEnv(env, 'sink');
  const kafka = createKafkaClient(settings.client);

  await ensureTopics(kafka, topicDeclarations(), { replicationFactor: settings.replicationFactor });
  const warehouse = options.warehouse ?? (await openWarehouse(env));
  // An embedded engine of its own dies with this process: after a crash, recount the aggregates first.
  const recovery =
    !options.warehouse && env.WAREHOUSE === 'chdb'
      ? await recoverAggregatesAfterCrash(warehouse, join(env.DATA_DIR, 'running.marker'), (reason) =>
          logger.event('warn', 'rebuilding the aggregates from statements', { reason }),
        )
      : undefined;
  if (env.WAREHOUSE_MIGRATE) {
    // The service that owns the schema also keeps the dimension tables in step with the reference files.
    const reference = await ReferenceIndex.load(env.REFERENCE_DATA_DIR);
    await loadReferenceDimensions(warehouse, reference.data);
  }
  const dlqProducer = new KafkaProducer(kafka, settings.producer);
  await dlqProducer.connect();

  const stopping = new AbortController();
  const baseStep = createSinkStep({
    warehouse,
    consumerGroup: env.SINK_GROUP_ID,
    metrics,
    minInsertIntervalMs: env.SINK_MIN_INSERT_INTERVAL_MS,
    recountVoided: voidedRecountOption(env.SINK_VOIDED_RECOUNT_INTERVAL_MS, stopping.signal, logger),
  });
  const step = options.wrapStep ? options.wrapStep(baseStep) : baseStep;
  const server = new KafkaBatchServer({
    kafka,
    groupId: env.SINK_GROUP_ID,
    deadLetterProducer: dlqProducer,
    retry: settings.retry,
    metrics: consumerMetricsFor(metrics),
    ...settings.consumer,
  });
  let consumerStatus = 'starting';
  server.status.subscribe((status) => (consumerStatus = status));
  health.register('consumer', () =>
    consumerStatus === 'connected' ? { status: 'up' } : { status: 'down', detail: consumerStatus },
  );
  health.register('warehouse', async () => {
    await warehouse.query('SELECT 1 AS ok');
    return { status: 'up' };
  });

  const app = await NestFactory.create<NestFastifyApplication>(
    SinkModule.forRoot(step, metrics, health),
    new FastifyAdapter(),
    { logger, abortOnError: false },
  );
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(env.PORT, env.HOST);
  logger.event('info', 'sink started', {
    group: env.SINK_GROUP_ID,
    port: env.PORT,
    warehouse: warehouse.kind,
  });

  return {
    app,
    server,
    metrics,
    logger,
    warehouse,
    close: async () => {
      stopping.abort();
      await app.close();
      await dlqProducer.disconnect();
      recovery?.markCleanStop();
      if (!options.warehouse) await warehouse.close();
    },
  };
}
