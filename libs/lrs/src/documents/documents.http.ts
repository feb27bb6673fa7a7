import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { DocumentResource } from '@app/warehouse';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEFAULT_BODY_LIMIT_BYTES, LrsGateway } from '../lrs-gateway';
import { LRS_OPTIONS, type LrsModuleOptions } from '../lrs.options';
import { sendLrsResponse } from '../read/read.controllers';
import type { DocumentRequest } from './documents';

/** The document resources' paths (Communication 2.2.s3). */
export const DOCUMENT_PATHS: Readonly<Record<DocumentResource, string>> = {
  state: '/xapi/activities/state',
  activity_profile: '/xapi/activities/profile',
  agent_profile: '/xapi/agents/profile',
};
export const AGENTS_PATH = '/xapi/agents';
export const ACTIVITIES_PATH = '/xapi/activities';

function toDocumentRequest(request: FastifyRequest): DocumentRequest {
  return {
    headers: request.headers,
    query: (request.query ?? {}) as Record<string, unknown>,
    body: Buffer.isBuffer(request.body) ? request.body : undefined,
  };
}

/**
 * Mounts the document resources and /xapi/agents, /xapi/activities on Fastify, in a plugin of their own:
 * a document is whatever octets the client sends, of any content type (JSON, form-encoded, binary), so
 * this scope replaces every body parser with one that keeps the raw bytes; the Statement Resource keeps
 * its parsers. The root hooks (CORS, the version header) apply here too.
 */
@Injectable()
export class DocumentsHttpSetup implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(LrsGateway) private readonly gateway: LrsGateway,
    @Inject(LRS_OPTIONS) private readonly options: LrsModuleOptions,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const bodyLimit = this.options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
    const gateway = this.gateway;
    void fastify.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
        done(null, body),
      );
      for (const [resource, url] of Object.entries(DOCUMENT_PATHS) as [DocumentResource, string][]) {
        // GET also answers HEAD (Fastify's automatic HEAD route; sendLrsResponse leaves the body out).
        scope.route({
          method: ['GET', 'PUT', 'POST', 'DELETE'],
          url,
          handler: async (request, reply) => {
            const method = request.method === 'HEAD' ? 'GET' : request.method;
            const response = await gateway.documentRequest(resource, method, toDocumentRequest(request));
            await sendLrsResponse(reply, response, request.method);
          },
        });
      }
      scope.get(AGENTS_PATH, async (request, reply) => {
        await sendLrsResponse(reply, await gateway.getAgents(toDocumentRequest(request)), request.method);
      });
      scope.get(ACTIVITIES_PATH, async (request, reply) => {
        await sendLrsResponse(reply, await gateway.getActivities(toDocumentRequest(request)), request.method);
      });
    });
  }
}
