import 'reflect-metadata';
import { loadConfig } from '@app/config';
import { JsonLogger, runService } from '@app/observability';
import { startEnricher } from './enricher.app';
import { enricherEnvSchema } from './enricher.config';
import { SERVICE_NAME } from './enricher.module';

async function main(): Promise<{ logger: JsonLogger; stop: () => Promise<void> }> {
  const config = loadConfig(enricherEnvSchema);
  const logger = new JsonLogger(SERVICE_NAME, config.LOG_LEVEL);
  const enricher = await startEnricher(config, { logger });
  await enricher.app.listen({ port: config.PORT, host: config.HOST });
  logger.event('info', 'enricher running', {
    port: config.PORT,
    group: config.ENRICHER_GROUP_ID,
    instance: config.ENRICHER_INSTANCE_ID,
    learners: enricher.directory.size,
    brokers: config.KAFKA_BROKERS,
  });

  return {
    logger,
    stop: async () => {
      // The consumers finish and commit the batches in hand before the producer goes away.
      await enricher.close();
    },
  };
}

runService('enricher', main);
