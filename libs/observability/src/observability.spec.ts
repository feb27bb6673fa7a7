import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { HealthRegistry, JsonLogger, ObservabilityModule, PipelineMetrics } from '@app/observability';

describe('observability endpoints', () => {
  let app: NestFastifyApplication;
  const health = new HealthRegistry(200);
  const metrics = new PipelineMetrics({ service: 'test', defaultMetrics: false });
  let brokerUp = true;

  beforeAll(async () => {
    health.register('broker', () =>
      brokerUp ? { status: 'up' } : { status: 'down', detail: 'connection refused' },
    );
    health.register('slow', () => new Promise((resolve) => setTimeout(() => resolve({ status: 'up' }), 10)));
    const moduleRef = await Test.createTestingModule({
      imports: [ObservabilityModule.forRoot({ service: 'test', metrics, health })],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it('reports 200 when every check is up and 503 with the reason when one is down', async () => {
    const up = await app.inject({ method: 'GET', url: '/health' });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toEqual({ status: 'up', checks: { broker: { status: 'up' }, slow: { status: 'up' } } });

    brokerUp = false;
    const down = await app.inject({ method: 'GET', url: '/health' });
    expect(down.statusCode).toBe(503);
    expect(down.json().checks.broker).toEqual({ status: 'down', detail: 'connection refused' });
    brokerUp = true;
  });

  it('serves Prometheus text with the pipeline metrics', async () => {
    metrics.messagesIn.inc({ topic: 'example.events.v1' }, 3);
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('pipeline_messages_in_total{topic="example.events.v1",service="test"} 3');
  });
});

describe('HealthRegistry', () => {
  it('counts a check that throws or hangs as down', async () => {
    const registry = new HealthRegistry(50);
    registry.register('throws', () => {
      throw new Error('warehouse unreachable');
    });
    registry.register('hangs', () => new Promise(() => undefined));
    const report = await registry.report();
    expect(report.status).toBe('down');
    expect(report.checks.throws).toEqual({ status: 'down', detail: 'warehouse unreachable' });
    expect(report.checks.hangs).toEqual({ status: 'down', detail: 'no answer within 50 ms' });
  });

  it('refuses two checks with one name', () => {
    const registry = new HealthRegistry();
    registry.register('x', () => ({ status: 'up' }));
    expect(() => registry.register('x', () => ({ status: 'up' }))).toThrow('already registered');
  });
});

describe('JsonLogger', () => {
  it('writes one JSON object per line with fields, and filters by level', () => {
    const lines: string[] = [];
    const logger = new JsonLogger(
      'sink',
      'info',
      (l) => lines.push(l),
      (l) => lines.push(l),
    );
    logger.debug('hidden');
    logger.event('info', 'batch inserted', { rows: 500 });
    logger.error('insert failed', 'stack-trace', 'SinkService');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'info',
      service: 'sink',
      msg: 'batch inserted',
      rows: 500,
    });
    expect(JSON.parse(lines[1])).toMatchObject({
      level: 'error',
      msg: 'insert failed',
      stack: 'stack-trace',
      context: 'SinkService',
    });
  });
});
