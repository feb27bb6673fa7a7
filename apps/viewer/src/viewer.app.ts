import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CredentialStore, hasScope, parseBootstrapCredential } from '@app/lrs';
import { HealthRegistry, JsonLogger, ObservabilityModule, PipelineMetrics } from '@app/observability';
import { ViewerModule } from '@app/viewer';
import { openWarehouse, type Warehouse } from '@app/warehouse';

import type { ViewerEnv } from './viewer.config';

export const SERVICE_NAME = 'viewer';

@Module({})
class ViewerAppModule {
  static forRoot(imports: DynamicModule[]): DynamicModule {
    return { module: ViewerAppModule, imports };
  }
}

export interface RunningViewer {
  readonly app: NestFastifyApplication;
  readonly logger: JsonLogger;
  readonly url: string;
  close(): Promise<void>;
}

export async function loadViewerCredentials(env: ViewerEnv): Promise<CredentialStore> {
  const credentials = env.CREDENTIALS_FILE
    ? await CredentialStore.fromFile(env.CREDENTIALS_FILE)
    : new CredentialStore();
  if (env.VIEWER_CREDENTIAL) {
    const { key, secret } = parseBootstrapCredential(env.VIEWER_CREDENTIAL);
    await credentials.addWithSecret({ key, sourceType: 'portal', scopes: ['dashboards/read'] }, secret);
  }
  return credentials;
}

/** The viewer on its own: a thin host for ViewerModule on a ClickHouse server. */
export async function startViewer(env: ViewerEnv, warehouse?: Warehouse): Promise<RunningViewer> {
  const logger = new JsonLogger(SERVICE_NAME, env.LOG_LEVEL);
  const credentials = await loadViewerCredentials(env);
  const store =
    warehouse ??
    (await openWarehouse({
      WAREHOUSE: 'clickhouse',
      DATA_DIR: './data',
      CLICKHOUSE_URL: env.CLICKHOUSE_URL,
      CLICKHOUSE_USER: env.CLICKHOUSE_USER,
      CLICKHOUSE_PASSWORD: env.CLICKHOUSE_PASSWORD,
      CLICKHOUSE_DATABASE: env.CLICKHOUSE_DATABASE,
      WAREHOUSE_MIGRATE: false, // the sink owns the schema; this user may only read
    }));
  const health = new HealthRegistry();
  health.register('warehouse', async () => {
    await store.query('SELECT 1 AS ok');
    return { status: 'up' };
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ViewerAppModule.forRoot([
      ObservabilityModule.forRoot({
        service: SERVICE_NAME,
        metrics: new PipelineMetrics({ service: SERVICE_NAME }),
        health,
      }),
      await ViewerModule.forRoot({
        warehouse: store,
        ...(env.DASHBOARDS_DIR !== undefined && { dashboardsDir: env.DASHBOARDS_DIR }),
        authenticate: async (key, secret) => {
          const credential = await credentials.verify(key, secret);
          if (credential === undefined) return false;
          return hasScope(credential, 'dashboards/read') || hasScope(credential, 'all/read');
        },
      }),
    ]),
    new FastifyAdapter(),
    { logger, abortOnError: false },
  );
  await app.listen({ port: env.PORT, host: env.HOST });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : env.PORT;
  const url = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${port}`;
  logger.event('info', 'dashboards viewer listening', { url, readers: credentials.size });
  return {
    app,
    logger,
    url,
    close: async () => {
      await app.close();
      if (warehouse === undefined) await store.close();
    },
  };
}
