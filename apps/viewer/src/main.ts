import 'reflect-metadata';
import { loadConfig } from '@app/config';
import { runService } from '@app/observability';

import { viewerEnvSchema } from './viewer.config';
import { SERVICE_NAME, startViewer } from './viewer.app';

runService(SERVICE_NAME, async () => {
  const viewer = await startViewer(loadConfig(viewerEnvSchema));
  return { logger: viewer.logger, stop: () => viewer.close() };
});
