import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaClient, ensureTopics, KafkaProducer } from '@app/bus';
import { loadConfig } from '@app/config';
import { decodeValue, topics } from '@app/contracts';
import { InMemoryStatementLookup, loadCredentials, WarehouseAttachmentStore } from '@app/lrs';
import { JsonLogger } from '@app/observability';
import { ReferenceIndex } from '@app/reference';
import { pollUntil, testKafkaBrokers, uniqueTopic } from '@app/testing';
import { ChdbWarehouse, loadAttachments, runMigrations } from '@app/warehouse';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Consumer } from 'kafkajs';
import { createGatewayApp } from './gateway.app';
import { gatewayEnvSchema } from './gateway.config';

jest.setTimeout(120_000);

const RECEIVED = topics.statementsReceived;
const AUTH = `Basic ${Buffer.from('partner-att:att-secret').toString('base64')}`;
const BOUNDARY = 'gateway-attachment-test';
const DATA = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x0d, 0x0a, 0x80]);
const SHA2 = createHash('sha256').update(DATA).digest('hex');

function multipartStatement(id: string): Buffer {
  const statement = {
    id,
    actor: { objectType: 'Agent', mbox: 'mailto:wang.fang@example.cn' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object: { objectType: 'Activity', id: 'https://learn.jlp.cq.cn/xapi/activities/essay/2' },
    attachments: [
      {
        usageType: 'http://example.com/attachment-usage/certificate',
        display: { 'zh-CN': '证书' },
        contentType: 'application/pdf',
        length: DATA.length,
        sha2: SHA2,
      },
    ],
  };
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(statement)}\r\n`),
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: binary\r\n` +
        `X-Experience-API-Hash: ${SHA2}\r\n\r\n`,
    ),
    DATA,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

async function startGateway(
  producer: KafkaProducer,
  warehouse?: ChdbWarehouse,
): Promise<NestFastifyApplication> {
  const config = loadConfig(gatewayEnvSchema, {
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    XAPI_BOOTSTRAP_CREDENTIAL: 'partner-att:att-secret',
    XAPI_CONFLICT_LOOKUP: 'recent-only',
  });
  const reference = await ReferenceIndex.load();
  const app = await createGatewayApp({
    config,
    producer,
    lookup: new InMemoryStatementLookup(),
    attachments: warehouse ? new WarehouseAttachmentStore(warehouse) : undefined,
    credentials: await loadCredentials(config, reference),
    reference,
    logger: new JsonLogger('gateway-attachments-int-spec', 'error'),
  });
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('gateway (Kafka mode) with attachments', () => {
  const kafka = createKafkaClient({ brokers: testKafkaBrokers(), clientId: 'gateway-attachments-int-spec' });
  const dir = mkdtempSync(join(tmpdir(), 'gateway-attachments-'));
  let warehouse: ChdbWarehouse;
  let producer: KafkaProducer;
  let consumer: Consumer;
  const received: string[] = [];

  beforeAll(async () => {
    await ensureTopics(kafka, [{ name: RECEIVED.name, partitions: RECEIVED.defaultPartitions }]);
    warehouse = new ChdbWarehouse(dir);
    await runMigrations(warehouse);
    producer = new KafkaProducer(kafka);
    await producer.connect();
    consumer = kafka.consumer({
      groupId: uniqueTopic('gateway-attachments-collector'),
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [RECEIVED.name], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value) received.push(String(decodeValue(RECEIVED, message.value).statement.id));
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await warehouse?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the attachment data to the warehouse before acknowledging; the statement goes through Kafka', async () => {
    const app = await startGateway(producer, warehouse);
    try {
      const id = randomUUID();
      const response = await app.inject({
        method: 'POST',
        url: '/xapi/statements',
        headers: {
          'x-experience-api-version': '1.0.3',
          authorization: AUTH,
          'content-type': `multipart/mixed; boundary=${BOUNDARY}`,
        },
        payload: multipartStatement(id),
      });
      expect(response.statusCode).toBe(200);
      // Stored before the answer: readable at once, byte for byte.
      const stored = await loadAttachments(warehouse, [SHA2]);
      expect(stored.get(SHA2)).toEqual({ sha2: SHA2, contentType: 'application/pdf', content: DATA });
      await pollUntil(() => received.includes(id), { timeoutMs: 30_000 });
    } finally {
      await app.close();
    }
  });

  it('without a warehouse refuses attachment data with 501 and produces nothing', async () => {
    const app = await startGateway(producer);
    try {
      const id = randomUUID();
      const response = await app.inject({
        method: 'POST',
        url: '/xapi/statements',
        headers: {
          'x-experience-api-version': '1.0.3',
          authorization: AUTH,
          'content-type': `multipart/mixed; boundary=${BOUNDARY}`,
        },
        payload: multipartStatement(id),
      });
      expect(response.statusCode).toBe(501);
      expect(response.json().message).toMatch(/no attachment store/);
      // A later statement arrives while the refused one never does (the topic keeps order per actor key).
      const later = randomUUID();
      const ok = await app.inject({
        method: 'POST',
        url: '/xapi/statements',
        headers: { 'x-experience-api-version': '1.0.3', authorization: AUTH },
        payload: {
          id: later,
          actor: { objectType: 'Agent', mbox: 'mailto:wang.fang@example.cn' },
          verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
          object: { objectType: 'Activity', id: 'https://learn.jlp.cq.cn/xapi/activities/essay/2' },
        },
      });
      expect(ok.statusCode).toBe(200);
      await pollUntil(() => received.includes(later), { timeoutMs: 30_000 });
      expect(received).not.toContain(id);
    } finally {
      await app.close();
    }
  });
});
