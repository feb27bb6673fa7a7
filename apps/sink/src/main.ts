import 'reflect-metadata';
import { loadConfig } from '@app/config';
import { runService } from '@app/observability';
import { sinkEnvSchema } from './sink.config';
import { startSink } from './sink.app';

// Stopping finishes the batch in hand, commits its offsets and leaves the group.
runService('sink', async () => {
  const sink = await startSink({ env: loadConfig(sinkEnvSchema) });
  return { logger: sink.logger, stop: () => sink.close() };
});
