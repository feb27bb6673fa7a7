import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_BODY_LIMIT_BYTES } from '../lrs-gateway';
import { LRS_OPTIONS, type LrsModuleOptions } from '../lrs.options';

const XAPI_PREFIX = '/xapi/';
const STATEMENTS_PREFIX = '/xapi/statements';

/** CORS for browser-based Learning Record Providers (Communication 1.3.s1 names cross-domain tracking). */
export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers':
    'X-Experience-API-Consistent-Through, X-Experience-API-Version, Last-Modified, ETag, Content-Type, Content-Length',
} as const;

export const CORS_PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
  'Access-Control-Allow-Headers':
    'Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, Accept-Language, X-Request-Id',
  'Access-Control-Max-Age': '86400',
} as const;

/** Form fields as an object; a repeated field becomes an array (the parsers of the resources refuse it). */
export function parseFormBody(text: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const earlier = fields[name];
    fields[name] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  }
  return fields;
}

/**
 * Fastify-level setup of the read side: the form parser the alternate request syntax needs, and CORS
 * (every /xapi/ answer allows any origin, as credentials travel in Authorization, not cookies; OPTIONS
 * preflights are answered here, before routing).
 */
@Injectable()
export class ReadHttpSetup implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(LRS_OPTIONS) private readonly options: LrsModuleOptions,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (!fastify.hasContentTypeParser('application/x-www-form-urlencoded')) {
      fastify.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: this.options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES },
        (_request, body, done) => done(null, parseFormBody(String(body))),
      );
    }
    const consistency = this.options.reader?.consistency;
    // Every answer of the Statement Resource carries Consistent-Through, errors included (2.1.3.s2.b5).
    fastify.addHook('onSend', async (request, reply, payload) => {
      if (
        consistency !== undefined &&
        request.url.startsWith(STATEMENTS_PREFIX) &&
        !reply.hasHeader('X-Experience-API-Consistent-Through')
      ) {
        // A read's error answer looks at the warehouse once (a Kafka-mode value kept only in memory would
        // stay behind while clients see nothing but errors); write answers use what memory knows.
        const reading = request.method === 'GET' || request.method === 'HEAD';
        void reply.header(
          'X-Experience-API-Consistent-Through',
          reading ? await consistency.checked() : consistency.current(),
        );
      }
      return payload;
    });
    fastify.addHook('onRequest', async (request, reply) => {
      if (!request.url.startsWith(XAPI_PREFIX)) return;
      void reply.headers(CORS_HEADERS);
      if (request.method === 'OPTIONS') {
        await reply.status(204).headers(CORS_PREFLIGHT_HEADERS).send();
      }
    });
  }
}
