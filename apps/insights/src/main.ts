import 'reflect-metadata';
import { createKafkaClient, KafkaProducer, kafkaSettingsFromEnv } from '@app/bus';
import { loadConfig } from '@app/config';
import { topics } from '@app/contracts';
import { consistentThroughFrom, loadResearchCredentials, ResearchService } from '@app/insights';
import { HealthRegistry, JsonLogger, PipelineMetrics, runService } from '@app/observability';
import { ReferenceIndex } from '@app/reference';
import { LearnerRegistry } from '@app/registry';
import { openWarehouse } from '@app/warehouse';
import { createInsightsApp, SERVICE_NAME } from './insights.app';
import { insightsAppEnvSchema } from './insights.config';

async function main(): Promise<{ logger: JsonLogger; stop: () => Promise<void> }> {
  const config = loadConfig(insightsAppEnvSchema);
  const logger = new JsonLogger(SERVICE_NAME, config.LOG_LEVEL);
  const reference = await ReferenceIndex.load(config.REFERENCE_DATA_DIR);
  const credentials = await loadResearchCredentials(config);
  const metrics = new PipelineMetrics({ service: SERVICE_NAME });
  const health = new HealthRegistry();

  const warehouse = await openWarehouse(config);
  health.register('warehouse', async () => {
    await warehouse.query('SELECT 1 AS ok');
    return { status: 'up' };
  });
  // An erasure's tombstone reaches the enrichers on the registry's change feed.
  const kafkaSettings = kafkaSettingsFromEnv(config, SERVICE_NAME);
  const producer = new KafkaProducer(createKafkaClient(kafkaSettings.client), kafkaSettings.producer);
  await producer.connect();
  const registry = new LearnerRegistry({ warehouse, producer, reference });
  const research = new ResearchService({
    warehouse,
    registry,
    minCellLearners: config.RESEARCH_MIN_CELL_LEARNERS,
    closeAfterDays: config.RESEARCH_CLOSE_AFTER_DAYS,
    consistentThrough: consistentThroughFrom(warehouse, {
      kind: 'watermarks',
      consumerGroup: config.SINK_GROUP_ID,
      topic: topics.statementsEnriched.name,
      partitions: config.ENRICHED_TOPIC_PARTITIONS,
    }),
  });

  const app = await createInsightsApp({ research, credentials, logger, metrics, health });
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.event('info', 'research API listening', {
    port: config.PORT,
    researchers: credentials.size,
    k: config.RESEARCH_MIN_CELL_LEARNERS,
  });
  return {
    logger,
    stop: async () => {
      await app.close();
      await producer.disconnect();
      await warehouse.close();
    },
  };
}

runService(SERVICE_NAME, main);
