import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LrsHttpError } from '../errors';
import { LrsGateway, type LrsRequest, type LrsResponse } from '../lrs-gateway';
import { answerAlternateRequest } from './alternate-syntax';

function toLrsRequest(request: FastifyRequest): LrsRequest {
  return {
    headers: request.headers,
    query: (request.query ?? {}) as Record<string, unknown>,
    body: request.body,
  };
}

/** Sends an answer; HEAD gets the same status and headers without a body (Communication 1.1). */
export async function sendLrsResponse(
  reply: FastifyReply,
  response: LrsResponse,
  method: string,
): Promise<void> {
  reply.status(response.status).headers(response.headers);
  if (response.body === undefined) {
    await reply.send();
    return;
  }
  if (Buffer.isBuffer(response.body)) {
    // A multipart/mixed answer (attachments=true); its Content-Type with the boundary is in the headers.
    await reply
      .header('Content-Length', String(response.body.length))
      .send(method === 'HEAD' ? undefined : response.body);
    return;
  }
  const json = JSON.stringify(response.body);
  void reply.header('Content-Type', 'application/json; charset=utf-8');
  if (method === 'HEAD') {
    await reply.header('Content-Length', String(Buffer.byteLength(json))).send();
    return;
  }
  await reply.send(json);
}

/** The alternate request syntax (POST ?method=…) on the Statement Resource; called by the POST route. */
export async function sendAlternateRequest(
  gateway: LrsGateway,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  try {
    const { method, response } = await answerAlternateRequest(gateway, toLrsRequest(request));
    await sendLrsResponse(reply, response, method);
  } catch (error) {
    if (!(error instanceof LrsHttpError)) throw error;
    await sendLrsResponse(
      reply,
      { status: error.status, headers: { ...error.headers }, body: error.body() },
      'POST',
    );
  }
}

/** xAPI Statement Resource, read side (Communication 2.1.3); HEAD is Fastify's automatic HEAD route. */
@Controller('xapi/statements')
export class StatementsReadController {
  constructor(@Inject(LrsGateway) private readonly gateway: LrsGateway) {}

  @Get()
  async get(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await sendLrsResponse(reply, await this.gateway.getStatements(toLrsRequest(request)), request.method);
  }
}

/** The versions this LRS speaks (About Resource, Communication 2.8). */
export const ABOUT = { version: ['1.0.3', '2.0.0'], extensions: {} } as const;

/** GET /xapi/about: public, no credentials needed (Communication 2.8). */
@Controller('xapi/about')
export class AboutController {
  @Get()
  async get(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await sendLrsResponse(
      reply,
      { status: 200, headers: { 'X-Experience-API-Version': '1.0.3' }, body: ABOUT },
      request.method,
    );
  }
}
