import { Controller, Inject, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LrsGateway, type LrsRequest, type LrsResponse } from './lrs-gateway';
import { isAlternateRequest } from './read/alternate-syntax';
import { sendAlternateRequest } from './read/read.controllers';

function toLrsRequest(request: FastifyRequest): LrsRequest {
  return {
    headers: request.headers,
    query: (request.query ?? {}) as Record<string, unknown>,
    body: request.body,
  };
}

async function send(reply: FastifyReply, response: LrsResponse): Promise<void> {
  reply.status(response.status).headers(response.headers);
  if (response.body === undefined) await reply.send();
  else
    await reply.header('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify(response.body));
}

/** xAPI Statement Resource, write side (Communication 2.1.1, 2.1.2). */
@Controller('xapi/statements')
export class StatementsController {
  constructor(@Inject(LrsGateway) private readonly gateway: LrsGateway) {}

  @Post()
  async post(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // POST ?method=… is the alternate request syntax (Communication 1.3), see read/alternate-syntax.ts.
    if (isAlternateRequest(request.query as Record<string, unknown>)) {
      return sendAlternateRequest(this.gateway, request, reply);
    }
    await send(reply, await this.gateway.postStatements(toLrsRequest(request)));
  }

  @Put()
  async put(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await send(reply, await this.gateway.putStatements(toLrsRequest(request)));
  }
}

/** Paper sign-in sheets uploaded as CSV (see attendance-csv.ts). */
@Controller('xapi/classroom')
export class AttendanceController {
  constructor(@Inject(LrsGateway) private readonly gateway: LrsGateway) {}

  @Post('attendance')
  async post(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await send(reply, await this.gateway.postAttendance(toLrsRequest(request)));
  }
}
