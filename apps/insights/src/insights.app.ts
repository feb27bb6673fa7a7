import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { InsightsModule, type InsightsModuleOptions } from '@app/insights';
import { HealthRegistry, JsonLogger, ObservabilityModule, PipelineMetrics } from '@app/observability';

export const SERVICE_NAME = 'insights';

export interface InsightsAppDependencies extends InsightsModuleOptions {
  readonly logger: JsonLogger;
  readonly metrics?: PipelineMetrics;
  readonly health?: HealthRegistry;
}

@Module({})
class InsightsAppModule {
  static forRoot(deps: InsightsAppDependencies): DynamicModule {
    return {
      module: InsightsAppModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE_NAME, metrics: deps.metrics, health: deps.health }),
        InsightsModule.forRoot({ research: deps.research, credentials: deps.credentials }),
      ],
    };
  }
}

/** The research API's Nest application on Fastify, initialised but not listening (tests use `inject`). */
export async function createInsightsApp(deps: InsightsAppDependencies): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    InsightsAppModule.forRoot(deps),
    new FastifyAdapter(),
    {
      logger: deps.logger,
      abortOnError: false,
    },
  );
  await app.init();
  return app;
}
