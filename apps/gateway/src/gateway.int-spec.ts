import { randomUUID } from 'node:crypto';
import { createKafkaClient, ensureTopics, KafkaProducer } from '@app/bus';
import { loadConfig } from '@app/config';
import { decodeKey, decodeValue, topics } from '@app/contracts';
import { InMemoryStatementLookup, loadCredentials } from '@app/lrs';
import { JsonLogger } from '@app/observability';
import { ReferenceIndex } from '@app/reference';
import { pollUntil, testKafkaBrokers, uniqueTopic } from '@app/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { createGatewayApp } from './gateway.app';
import { gatewayEnvSchema } from './gateway.config';

jest.setTimeout(120_000);

const RECEIVED = topics.statementsReceived;

describe('gateway against the real Kafka broker', () => {
  const kafka = createKafkaClient({ brokers: testKafkaBrokers(), clientId: 'gateway-int-spec' });
  let app: NestFastifyApplication;
  let producer: KafkaProducer;
  let consumer: Consumer;
  const messages: KafkaMessage[] = [];

  beforeAll(async () => {
    await ensureTopics(kafka, [{ name: RECEIVED.name, partitions: RECEIVED.defaultPartitions }]);
    const config = loadConfig(gatewayEnvSchema, {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      XAPI_BOOTSTRAP_CREDENTIAL: 'partner-int:int-secret',
      XAPI_CONFLICT_LOOKUP: 'recent-only',
    });
    const reference = await ReferenceIndex.load();
    producer = new KafkaProducer(kafka);
    await producer.connect();
    app = await createGatewayApp({
      config,
      producer,
      lookup: new InMemoryStatementLookup(),
      credentials: await loadCredentials(config, reference),
      reference,
      logger: new JsonLogger('gateway-int-spec', 'error'),
    });
    await app.getHttpAdapter().getInstance().ready();
    consumer = kafka.consumer({ groupId: uniqueTopic('gateway-int-collector'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [RECEIVED.name], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        messages.push(message);
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await app?.close();
    await producer?.disconnect();
  });

  it('acknowledges a statement only once it is on xapi.statements.received.v1, keyed by actor', async () => {
    const id = randomUUID();
    const response = await app.inject({
      method: 'POST',
      url: '/xapi/statements',
      headers: {
        'x-experience-api-version': '1.0.3',
        authorization: `Basic ${Buffer.from('partner-int:int-secret').toString('base64')}`,
        'x-request-id': 'int-spec-request',
      },
      payload: {
        id,
        actor: { objectType: 'Agent', mbox: 'mailto:Chen.Jing@Example.CN' },
        verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' },
        object: {
          objectType: 'Activity',
          id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/4',
        },
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([id]);

    const message = await pollUntil(
      () =>
        messages.find((m) => {
          const value = decodeValue(RECEIVED, m.value);
          return value.statement.id === id;
        }),
      { timeoutMs: 30_000, description: `statement ${id} on ${RECEIVED.name}` },
    );
    expect(decodeKey(RECEIVED, message.key)).toBe('mbox:mailto:Chen.Jing@example.cn');
    const value = decodeValue(RECEIVED, message.value);
    expect(value.source).toEqual({ type: 'partner', credentialKey: 'partner-int' });
    expect(value.requestId).toBe('int-spec-request');
    expect(value.statement).toMatchObject({
      id,
      version: '1.0.0',
      authority: { objectType: 'Agent', account: { name: 'partner-int' } },
      actor: { mbox: 'mailto:Chen.Jing@Example.CN' },
    });
    expect(Date.parse(value.receivedAt)).not.toBeNaN();

    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/xapi_statements_accepted_total\{[^}]*source="partner"[^}]*\} 1/);
  });
});
