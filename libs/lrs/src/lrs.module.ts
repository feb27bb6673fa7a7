import { DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PipelineMetrics } from '@app/observability';
import type { FastifyInstance } from 'fastify';
import { AttendanceController, StatementsController } from './lrs.controllers';
import { DEFAULT_BODY_LIMIT_BYTES, LrsGateway } from './lrs-gateway';
import { LRS_OPTIONS, type LrsModuleOptions } from './lrs.options';
import { AboutController, StatementsReadController } from './read/read.controllers';
import { ReadHttpSetup } from './read/read-http-setup';
import { registerMultipartBodyParser } from './attachments';
import { DocumentsHttpSetup } from './documents/documents.http';

export const XAPI_PATH_PREFIX = '/xapi/';

/**
 * Fastify-level setup the controllers rely on: a text/csv parser (with the body limit) for attendance
 * sheets, and the X-Experience-API-Version header on answers Fastify gives before a controller runs
 * (413 body too large, 400 malformed JSON, 415 unsupported media type).
 */
@Injectable()
export class LrsHttpSetup implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(LRS_OPTIONS) private readonly options: LrsModuleOptions,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (!fastify.hasContentTypeParser('text/csv')) {
      fastify.addContentTypeParser(
        'text/csv',
        { parseAs: 'string', bodyLimit: this.options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES },
        (_request, body, done) => done(null, body),
      );
    }
    // multipart/mixed statement bodies (attachments) arrive as a Buffer; see attachments.ts.
    registerMultipartBodyParser(fastify, this.options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES);
    fastify.addHook('onSend', async (request, reply, payload) => {
      if (request.url.startsWith(XAPI_PATH_PREFIX) && !reply.hasHeader('X-Experience-API-Version')) {
        void reply.header('X-Experience-API-Version', '1.0.3');
      }
      return payload;
    });
  }
}

/**
 * The xAPI LRS: the Statement Resource (POST/PUT/GET /xapi/statements), /xapi/about, the document resources
 * with /xapi/agents and /xapi/activities, and POST /xapi/classroom/attendance. Mounted
 * by apps/gateway and by the embedded one-process app. Requires the Fastify platform. Uses the
 * PipelineMetrics of ObservabilityModule when that module is present.
 */
@Module({})
export class LrsModule {
  static forRoot(options: LrsModuleOptions): DynamicModule {
    return {
      module: LrsModule,
      controllers: [StatementsController, StatementsReadController, AboutController, AttendanceController],
      providers: [
        { provide: LRS_OPTIONS, useValue: options },
        {
          provide: LrsGateway,
          inject: [LRS_OPTIONS, { token: PipelineMetrics, optional: true }],
          useFactory: (opts: LrsModuleOptions, metrics?: PipelineMetrics) =>
            new LrsGateway({ ...opts, metrics }),
        },
        LrsHttpSetup,
        ReadHttpSetup,
        DocumentsHttpSetup,
      ],
      exports: [LrsGateway],
    };
  }
}
