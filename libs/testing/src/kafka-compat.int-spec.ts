import { randomUUID } from 'node:crypto';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Consumer,
  type EachMessagePayload,
  type LogEntry,
} from 'kafkajs';
import { expectEventually, pollUntil } from './poll';
import { testKafkaBrokers } from './test-broker';
import { uniqueTopic } from './unique-topic';

// kafkajs 2.2.4 against the Kafka 4.x broker the harness runs: Kafka 4 removed old protocol versions
// (KIP-896), so every feature the pipeline relies on is exercised here against the real broker.
jest.setTimeout(120_000);

const PARTITIONS = 4;

/** Errors kafkajs logged; a protocol-version complaint ("The version of API is not supported") fails. */
const clientErrors: string[] = [];
const kafka = new Kafka({
  clientId: 'kafka-compat',
  brokers: testKafkaBrokers(),
  logLevel: logLevel.ERROR,
  logCreator:
    () =>
    ({ log }: LogEntry) => {
      clientErrors.push(`${log.message}: ${String(log.error)}`);
    },
});
const admin = kafka.admin();

const consumerSettings = {
  sessionTimeout: 6000,
  heartbeatInterval: 500,
  rebalanceTimeout: 10_000,
  maxWaitTimeInMs: 100,
};

async function createTopic(prefix: string): Promise<string> {
  const topic = uniqueTopic(prefix);
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  expect(created).toBe(true);
  return topic;
}

async function produce(topic: string, values: string[]): Promise<void> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const results = await producer.send({
      topic,
      acks: -1,
      messages: values.map((value, index) => ({ key: value, value, partition: index % PARTITIONS })),
    });
    expect(results.every((result) => result.errorCode === 0)).toBe(true);
  } finally {
    await producer.disconnect();
  }
}

async function highWatermarks(topic: string): Promise<Map<number, string>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map(({ partition, high }) => [partition, high]));
}

async function committedOffsets(groupId: string, topic: string): Promise<Map<number, string>> {
  const [topicOffsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(topicOffsets.partitions.map(({ partition, offset }) => [partition, offset]));
}

/** A consumer that commits each message's offset by hand right after handling it. */
async function startManualCommitConsumer(
  groupId: string,
  topic: string,
  onMessage: (value: string, partition: number) => void,
): Promise<{ consumer: Consumer; assignment: () => number[] }> {
  const consumer = kafka.consumer({ groupId, ...consumerSettings });
  let assigned: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    assigned = [...(event.payload.memberAssignment[topic] ?? [])].sort();
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic: from, partition, message }: EachMessagePayload) => {
      onMessage(String(message.value), partition);
      await consumer.commitOffsets([
        { topic: from, partition, offset: (BigInt(message.offset) + 1n).toString() },
      ]);
    },
  });
  return { consumer, assignment: () => assigned };
}

describe('kafkajs 2.2.4 against Kafka 4.x', () => {
  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());
  afterEach(() => {
    const versionErrors = clientErrors.filter((line) =>
      /not supported|unsupported|does not support/i.test(line),
    );
    expect(versionErrors).toEqual([]);
  });

  it('creates topics explicitly and never auto-creates one on produce', async () => {
    const topic = await createTopic('compat-create');
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(metadata.partitions).toHaveLength(PARTITIONS);
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] })).toBe(false);

    const missing = uniqueTopic('compat-missing');
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 1, initialRetryTime: 50 },
    });
    await producer.connect();
    try {
      await expect(producer.send({ topic: missing, messages: [{ value: 'x' }] })).rejects.toThrow(
        /does not host this topic-partition|UNKNOWN_TOPIC_OR_PARTITION/,
      );
    } finally {
      await producer.disconnect();
    }
    expect(await admin.listTopics()).not.toContain(missing);
  });

  it('produces idempotently with acks=-1 and commits consumer-group offsets by hand', async () => {
    const topic = await createTopic('compat-commit');
    const values = Array.from({ length: 100 }, (_, index) => `message-${index}`);
    await produce(topic, values);

    const high = await highWatermarks(topic);
    expect([...high.values()].reduce((sum, offset) => sum + Number(offset), 0)).toBe(values.length);

    const groupId = `compat-commit-${randomUUID()}`;
    const consumed: string[] = [];
    const { consumer } = await startManualCommitConsumer(groupId, topic, (value) => consumed.push(value));
    try {
      await expectEventually(() => expect([...consumed].sort()).toEqual([...values].sort()), {
        timeoutMs: 30_000,
        description: 'all 100 messages consumed',
      });
      await expectEventually(async () => expect(await committedOffsets(groupId, topic)).toEqual(high), {
        timeoutMs: 10_000,
        description: 'committed offsets at the high watermarks',
      });
    } finally {
      await consumer.disconnect();
    }
    expect(consumed).toHaveLength(values.length);
  });

  it('splits partitions between two consumers after a rebalance and consumes every message exactly once', async () => {
    const topic = await createTopic('compat-rebalance');
    const groupId = `compat-rebalance-${randomUUID()}`;
    const deliveries = new Map<string, number>();
    const partitionsSeenBy = { first: new Set<number>(), second: new Set<number>() };
    const record = (who: keyof typeof partitionsSeenBy) => (value: string, partition: number) => {
      deliveries.set(value, (deliveries.get(value) ?? 0) + 1);
      if (value.startsWith('after-')) partitionsSeenBy[who].add(partition);
    };
    const allPartitions = Array.from({ length: PARTITIONS }, (_, partition) => partition);

    const first = await startManualCommitConsumer(groupId, topic, record('first'));
    let second: Awaited<ReturnType<typeof startManualCommitConsumer>> | undefined;
    try {
      await pollUntil(() => first.assignment().length === PARTITIONS, {
        timeoutMs: 30_000,
        description: 'the first consumer to own every partition',
      });
      const before = Array.from({ length: 40 }, (_, index) => `before-${index}`);
      await produce(topic, before);
      const highBefore = await highWatermarks(topic);
      await expectEventually(async () => expect(await committedOffsets(groupId, topic)).toEqual(highBefore), {
        timeoutMs: 30_000,
        description: 'the first batch consumed and committed',
      });

      second = await startManualCommitConsumer(groupId, topic, record('second'));
      const secondConsumer = second;
      await expectEventually(
        () => {
          const a = first.assignment();
          const b = secondConsumer.assignment();
          expect(a.length).toBeGreaterThan(0);
          expect(b.length).toBeGreaterThan(0);
          expect([...a, ...b].sort()).toEqual(allPartitions);
        },
        { timeoutMs: 30_000, description: 'partitions split between the two consumers' },
      );

      const after = Array.from({ length: 40 }, (_, index) => `after-${index}`);
      await produce(topic, after);
      const highAfter = await highWatermarks(topic);
      await expectEventually(async () => expect(await committedOffsets(groupId, topic)).toEqual(highAfter), {
        timeoutMs: 30_000,
        description: 'every message consumed and committed',
      });

      // All offsets are committed, so nothing can be redelivered: each message arrived exactly once.
      expect([...deliveries.keys()].sort()).toEqual([...before, ...after].sort());
      expect([...deliveries.values()].every((count) => count === 1)).toBe(true);
      expect([...partitionsSeenBy.first].sort()).toEqual(first.assignment());
      expect([...partitionsSeenBy.second].sort()).toEqual(secondConsumer.assignment());
    } finally {
      await Promise.all([first.consumer.disconnect(), second?.consumer.disconnect()]);
    }
  });
});
