import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { expectEventually, pollUntil } from './poll';
import {
  isTestBrokerRunning,
  restartTestBroker,
  startTestBroker,
  stopTestBroker,
  testKafkaBrokers,
} from './test-broker';
import { uniqueTopic } from './unique-topic';

// Exercises the harness itself: the broker global setup started can be stopped and started mid-test.
// Jest ignores `testTimeout` inside a project config, so the integration timeout is set here.
jest.setTimeout(120_000);

describe('harness-managed test broker', () => {
  const kafka = new Kafka({
    clientId: 'harness-spec',
    brokers: testKafkaBrokers(),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();

  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());

  it('is unreachable while stopped and keeps its topics after startTestBroker', async () => {
    const topic = uniqueTopic('harness-stop');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });

    await stopTestBroker();
    expect(isTestBrokerRunning()).toBe(false);
    const probe = new Kafka({
      clientId: 'harness-probe',
      brokers: testKafkaBrokers(),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 500,
      retry: { retries: 0 },
    }).admin();
    await expect(probe.connect()).rejects.toThrow();

    await startTestBroker();
    expect(isTestBrokerRunning()).toBe(true);
    const topics = await pollUntil(() => admin.listTopics(), { description: 'topic list after restart' });
    expect(topics).toContain(topic);
  });

  it('delivers every acknowledged message when the broker restarts while producing', async () => {
    const topic = uniqueTopic('harness-restart');
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const producer: Producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 2000 },
    });
    await producer.connect();

    const acknowledged: string[] = [];
    let keepProducing = true;
    const producing = (async () => {
      while (keepProducing) {
        const id = randomUUID();
        try {
          await producer.send({ topic, acks: -1, messages: [{ key: id, value: id }] });
          acknowledged.push(id);
        } catch {
          // Not acknowledged, so not promised; the loop goes on with the next message.
        }
      }
    })();

    await pollUntil(() => acknowledged.length >= 50, { description: '50 acks before the restart' });
    await restartTestBroker();
    const acksAtRestart = acknowledged.length;
    await pollUntil(() => acknowledged.length >= acksAtRestart + 50, {
      timeoutMs: 60_000,
      description: '50 more acks after the restart',
    });
    keepProducing = false;
    await producing;
    await producer.disconnect();

    const consumed = new Set<string>();
    const consumer = kafka.consumer({ groupId: `harness-restart-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        consumed.add(String(message.value));
      },
    });
    try {
      await expectEventually(() => expect(acknowledged.filter((id) => !consumed.has(id))).toEqual([]), {
        timeoutMs: 60_000,
        description: `all ${acknowledged.length} acknowledged messages consumed`,
      });
    } finally {
      await consumer.disconnect();
    }
  });
});
