import { DynamicModule, Global, Module } from '@nestjs/common';
import { HealthRegistry } from './health';
import { PipelineMetrics } from './metrics';
import { ObservabilityController } from './observability.controller';

/** Provides one PipelineMetrics and one HealthRegistry per process and serves /health and /metrics. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: {
    service: string;
    metrics?: PipelineMetrics;
    health?: HealthRegistry;
  }): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [ObservabilityController],
      providers: [
        {
          provide: PipelineMetrics,
          useValue: options.metrics ?? new PipelineMetrics({ service: options.service }),
        },
        { provide: HealthRegistry, useValue: options.health ?? new HealthRegistry() },
      ],
      exports: [PipelineMetrics, HealthRegistry],
    };
  }
}
