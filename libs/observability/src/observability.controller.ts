import { Controller, Get, Header, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HealthRegistry } from './health';
import { PipelineMetrics } from './metrics';

/** GET /health (200 when every check is up, 503 otherwise) and GET /metrics (Prometheus text). */
@Controller()
export class ObservabilityController {
  constructor(
    private readonly health: HealthRegistry,
    private readonly metrics: PipelineMetrics,
  ) {}

  @Get('health')
  @Header('Cache-Control', 'no-store')
  async getHealth(@Res() reply: FastifyReply): Promise<void> {
    const report = await this.health.report();
    await reply.status(report.status === 'up' ? 200 : 503).send(report);
  }

  @Get('metrics')
  async getMetrics(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    await reply.header('Content-Type', contentType).send(body);
  }
}
