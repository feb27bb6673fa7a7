import type { MessageProducer } from '@app/bus';
import type { LearnerDirectory } from '@app/enrichment';
import { HealthRegistry, ObservabilityModule, PipelineMetrics } from '@app/observability';
import { createEnrichStep, createLearnerChangeStep } from '@app/pipeline';
import type { ReferenceIndex } from '@app/reference';
import { Module, type DynamicModule } from '@nestjs/common';
import { EnricherController, ENRICH_STEP, LEARNER_CHANGE_STEP } from './enricher.controller';

export const SERVICE_NAME = 'enricher';

export interface EnricherModuleOptions {
  /** Produces enriched statements (the dead letters go through the transport's own producer). */
  readonly producer: MessageProducer;
  readonly reference: ReferenceIndex;
  /** Loaded from `dim_learners` before consuming starts; the change feed keeps it current. */
  readonly directory: LearnerDirectory;
  readonly metrics: PipelineMetrics;
  readonly health: HealthRegistry;
}

/** The enricher's consumers plus /health and /metrics. */
@Module({})
export class EnricherModule {
  static forRoot(options: EnricherModuleOptions): DynamicModule {
    return {
      module: EnricherModule,
      imports: [
        ObservabilityModule.forRoot({
          service: SERVICE_NAME,
          metrics: options.metrics,
          health: options.health,
        }),
      ],
      controllers: [EnricherController],
      providers: [
        {
          provide: ENRICH_STEP,
          useValue: createEnrichStep({
            producer: options.producer,
            reference: options.reference,
            learners: options.directory,
            metrics: options.metrics,
          }),
        },
        { provide: LEARNER_CHANGE_STEP, useValue: createLearnerChangeStep(options.directory) },
      ],
    };
  }
}
