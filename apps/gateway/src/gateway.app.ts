import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { HealthRegistry, JsonLogger, ObservabilityModule, PipelineMetrics } from '@app/observability';
import { ReferenceIndex } from '@app/reference';
import {
  CredentialStore,
  LrsModule,
  hasScope,
  lrsOptionsFromEnv,
  type AttachmentStore,
  type StatementLookup,
  type StatementReader,
} from '@app/lrs';
import { OpenApiModule } from '@app/lrs/openapi.module';
import { LearnerRegistry, RegistryModule, basicRegistryAuth } from '@app/registry';
import type { MessageProducer } from '@app/bus';
import type { DocumentStore } from '@app/warehouse';
import type { GatewayConfig } from './gateway.config';

export const SERVICE_NAME = 'gateway';

export interface GatewayDependencies {
  readonly config: GatewayConfig;
  readonly producer: MessageProducer;
  readonly lookup: StatementLookup;
  /** GET /xapi/statements; absent without a warehouse (then GET answers 503). */
  readonly reader?: StatementReader;
  /** Attachment data; absent without a warehouse, and then attachment data is refused (501). */
  readonly attachments?: AttachmentStore;
  /** The document resources' store; without it they answer 503. */
  readonly documents?: DocumentStore;
  readonly credentials: CredentialStore;
  readonly reference: ReferenceIndex;
  readonly logger: JsonLogger;
  readonly metrics?: PipelineMetrics;
  readonly health?: HealthRegistry;
  /** The learner registry API (`/registry/learners`), mounted when the gateway has a warehouse to keep it in. */
  readonly registry?: LearnerRegistry;
}

@Module({})
class GatewayModule {
  static forRoot(deps: GatewayDependencies): DynamicModule {
    const { config } = deps;
    return {
      module: GatewayModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE_NAME, metrics: deps.metrics, health: deps.health }),
        OpenApiModule.forRoot(),
        LrsModule.forRoot({
          producer: deps.producer,
          lookup: deps.lookup,
          reader: deps.reader,
          attachments: deps.attachments,
          documents: deps.documents,
          credentials: deps.credentials,
          reference: deps.reference,
          logger: deps.logger,
          ...lrsOptionsFromEnv(config),
        }),
        ...(deps.registry
          ? [
              RegistryModule.forRoot({
                registry: deps.registry,
                auth: basicRegistryAuth({
                  verify: (key, secret) => deps.credentials.verify(key, secret),
                  hasScope,
                }),
              }),
            ]
          : []),
      ],
    };
  }
}

/** The gateway's Nest application on Fastify, initialised but not listening (tests use `inject`). */
export async function createGatewayApp(deps: GatewayDependencies): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.forRoot(deps),
    // The JSON body limit is the adapter's; text/csv gets the same limit from LrsModule.
    new FastifyAdapter({ bodyLimit: deps.config.XAPI_BODY_LIMIT_BYTES }),
    { logger: deps.logger, abortOnError: false },
  );
  await app.init();
  return app;
}
