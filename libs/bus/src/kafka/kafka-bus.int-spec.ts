import { decodeDlqHeaders, dlqTopicOf } from '@app/contracts';
import { expectEventually, pollUntil, testKafkaBrokers, uniqueTopic } from '@app/testing';
import { Controller, type INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { jsonDecoder } from '../core/decoders';
import { PoisonMessageError, RetriableError } from '../core/errors';
import type { BatchHandler, ConsumedMessage, OutgoingMessage } from '../core/ports';
import { BatchContext } from '../nest/batch-context';
import { createKafkaClient } from './kafka-client';
import { KafkaBatchServer, type KafkaBatchServerOptions } from './kafka-batch-server';
import { KafkaProducer } from './kafka-producer';
import { ensureTopics } from './topic-admin';

jest.setTimeout(120_000);

const kafka = createKafkaClient({ brokers: testKafkaBrokers(), clientId: 'bus-int-spec' });
const fastConsumer = {
  sessionTimeout: 6000,
  heartbeatInterval: 500,
  rebalanceTimeout: 10_000,
  maxWaitTimeInMs: 100,
};
const fastRetry = { initialDelayMs: 50, maxDelayMs: 200 };

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

async function producer(options: ConstructorParameters<typeof KafkaProducer>[1] = {}, client: Kafka = kafka) {
  const p = new KafkaProducer(client, options);
  await p.connect();
  closers.push(() => p.disconnect());
  return p;
}

/** A topic and its dead-letter topic, created the way services create them at start. */
async function topicPair(prefix: string, partitions = 3): Promise<string> {
  const topic = uniqueTopic(`bus-${prefix}`);
  await ensureTopics(kafka, [
    { name: topic, partitions },
    { name: dlqTopicOf(topic), partitions: 1 },
  ]);
  return topic;
}

const json = (id: number, extra: Record<string, unknown> = {}): OutgoingMessage => ({
  key: `learner-${id % 5}`,
  value: JSON.stringify({ id, ...extra }),
});
const ids = (messages: ConsumedMessage<unknown>[]) => messages.map((m) => (m.value as { id: number }).id);

async function startServer<T>(
  topic: string,
  groupId: string,
  handler: BatchHandler<T>,
  options: Partial<KafkaBatchServerOptions> = {},
): Promise<KafkaBatchServer> {
  const server = new KafkaBatchServer({
    kafka,
    groupId,
    deadLetterProducer: options.deadLetterProducer ?? (await producer()),
    decode: jsonDecoder,
    retry: fastRetry,
    consumer: fastConsumer,
    ...options,
  });
  server.registerHandler(topic, handler);
  await new Promise<void>((resolve, reject) => server.listen((error) => (error ? reject(error) : resolve())));
  closers.push(() => server.close());
  return server;
}

/** Reads every message of a topic from the beginning with a throw-away group. */
async function collect(topic: string): Promise<KafkaMessage[]> {
  const received: KafkaMessage[] = [];
  const consumer: Consumer = kafka.consumer({ groupId: uniqueTopic('collector'), ...fastConsumer });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push(message);
    },
  });
  closers.push(() => consumer.disconnect());
  return received;
}

async function committedOffsets(groupId: string, topic: string): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(result.partitions.map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

/** Messages ever written to a topic (sum of high watermarks). */
async function messageCount(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function committedTotal(groupId: string, topic: string): Promise<number> {
  let total = 0;
  for (const offset of (await committedOffsets(groupId, topic)).values())
    total += Math.max(0, Number(offset));
  return total;
}

describe('ensureTopics', () => {
  it('creates topics with explicit partition counts and is idempotent', async () => {
    const name = uniqueTopic('bus-admin');
    const first = await ensureTopics(kafka, [{ name, partitions: 4 }]);
    expect(first.created).toEqual([name]);
    const second = await ensureTopics(kafka, [{ name, partitions: 4 }]);
    expect(second).toEqual({ created: [], existing: [name], partitionMismatches: [] });
    const third = await ensureTopics(kafka, [{ name, partitions: 6 }]);
    expect(third.partitionMismatches).toEqual([{ name, declared: 6, actual: 4 }]);
  });
});

describe('KafkaProducer', () => {
  it('resolves many concurrent sends only once acked, batching them into few requests, and all arrive in key order', async () => {
    const topic = await topicPair('producer', 3);
    const flushes: number[] = [];
    const p = await producer({
      lingerMs: 10,
      maxBatchMessages: 500,
      onFlush: (e) => flushes.push(e.messages),
    });
    const sends = Array.from({ length: 200 }, (_, i) =>
      p.send(
        topic,
        [0, 1, 2, 3, 4].map((j) => json(i * 5 + j)),
      ),
    );
    await Promise.all(sends);
    expect(flushes.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(flushes.length).toBeLessThan(20);

    const received = await collect(topic);
    await expectEventually(() => expect(received).toHaveLength(1000), { timeoutMs: 30_000 });
    const perKey = new Map<string, number[]>();
    for (const m of received) {
      const key = m.key?.toString() ?? '';
      perKey.set(key, [
        ...(perKey.get(key) ?? []),
        (JSON.parse(m.value?.toString() ?? '') as { id: number }).id,
      ]);
    }
    for (const sequence of perKey.values()) expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
  });

  it("rejects the callers' promises when the broker refuses the batch (topic does not exist, auto-create off)", async () => {
    const impatient = createKafkaClient({
      brokers: testKafkaBrokers(),
      clientId: 'bus-int-impatient',
      extra: { retry: { retries: 1, initialRetryTime: 50 } },
    });
    const p = await producer({}, impatient);
    await expect(p.send(uniqueTopic('bus-missing'), [json(1)])).rejects.toThrow();
  });
});

describe('KafkaBatchServer', () => {
  it('does not commit a batch whose handler keeps failing, and redelivers it after a restart', async () => {
    const topic = await topicPair('redeliver', 1);
    const groupId = uniqueTopic('g-redeliver');
    await (await producer()).send(topic, [json(1), json(2), json(3)]);

    let attempts = 0;
    const failing = await startServer(topic, groupId, async () => {
      attempts++;
      throw new RetriableError('warehouse down');
    });
    await pollUntil(() => attempts >= 3, { timeoutMs: 30_000, description: 'three failed attempts' });
    await failing.close();
    closers.pop();
    expect(await committedTotal(groupId, topic)).toBe(0);

    const delivered: number[] = [];
    await startServer(topic, groupId, async (messages) => {
      delivered.push(...ids(messages));
    });
    await expectEventually(() => expect(delivered).toEqual([1, 2, 3]), { timeoutMs: 30_000 });
    await expectEventually(async () => expect(await committedTotal(groupId, topic)).toBe(3), {
      timeoutMs: 10_000,
    });
  });

  it('retries a retriable failure with the same batch and commits once it succeeds', async () => {
    const topic = await topicPair('retry', 1);
    const groupId = uniqueTopic('g-retry');
    await (await producer()).send(topic, [json(1), json(2)]);
    let calls = 0;
    const delivered: number[] = [];
    await startServer(topic, groupId, async (messages) => {
      calls++;
      if (calls <= 2) throw new RetriableError('not yet');
      delivered.push(...ids(messages));
    });
    await expectEventually(() => expect(delivered).toEqual([1, 2]), { timeoutMs: 30_000 });
    expect(calls).toBe(3);
    await expectEventually(async () => expect(await committedTotal(groupId, topic)).toBe(2), {
      timeoutMs: 10_000,
    });
    expect(await messageCount(dlqTopicOf(topic))).toBe(0);
  });

  it('sends a poison message to the DLQ with the original bytes and headers, and the rest flows on', async () => {
    const topic = await topicPair('poison', 1);
    const groupId = uniqueTopic('g-poison');
    const p = await producer();
    const batch = Array.from({ length: 10 }, (_, i) => json(i, { poison: i === 4 }));
    batch[4] = { ...batch[4], headers: { 'x-request-id': 'req-4' } };
    await p.send(topic, batch);

    const delivered: number[] = [];
    const deadLettered: string[] = [];
    await startServer(
      topic,
      groupId,
      async (messages: ConsumedMessage<{ id: number; poison?: boolean }>[]) => {
        const bad = messages.find((m) => m.value.poison);
        if (bad) throw new PoisonMessageError(`statement ${bad.value.id} references nothing`);
        delivered.push(...messages.map((m) => m.value.id));
      },
      { deadLetterProducer: p, metrics: { deadLettered: (e) => deadLettered.push(e.errorClass) } },
    );
    await expectEventually(
      () => expect(delivered.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]),
      {
        timeoutMs: 30_000,
      },
    );
    expect(deadLettered).toEqual(['PoisonMessageError']);

    const letters = await collect(dlqTopicOf(topic));
    await expectEventually(() => expect(letters).toHaveLength(1), { timeoutMs: 30_000 });
    const [letter] = letters;
    expect(letter.value?.toString()).toBe(batch[4].value);
    expect(letter.key?.toString()).toBe(batch[4].key);
    expect(letter.headers?.['x-request-id']?.toString()).toBe('req-4');
    expect(decodeDlqHeaders(letter.headers ?? {})).toMatchObject({
      reason: 'statement 4 references nothing',
      errorClass: 'PoisonMessageError',
      sourceTopic: topic,
      sourcePartition: '0',
      sourceOffset: '4',
      consumerGroup: groupId,
    });
    await expectEventually(async () => expect(await committedTotal(groupId, topic)).toBe(10), {
      timeoutMs: 10_000,
    });
  });

  it('dead-letters messages that fail to decode without stopping the partition', async () => {
    const topic = await topicPair('undecodable', 1);
    const groupId = uniqueTopic('g-undecodable');
    await (await producer()).send(topic, [json(1), { key: 'k', value: 'not json' }, json(3)]);
    const delivered: number[] = [];
    await startServer(topic, groupId, async (messages) => {
      delivered.push(...ids(messages));
    });
    await expectEventually(() => expect(delivered).toEqual([1, 3]), { timeoutMs: 30_000 });
    const letters = await collect(dlqTopicOf(topic));
    await expectEventually(() => expect(letters.map((l) => l.value?.toString())).toEqual(['not json']), {
      timeoutMs: 30_000,
    });
    expect(decodeDlqHeaders(letters[0].headers ?? {}).errorClass).toBe('SyntaxError');
  });

  it('on close finishes the batch in hand, commits it, and leaves', async () => {
    const topic = await topicPair('shutdown', 1);
    const groupId = uniqueTopic('g-shutdown');
    await (await producer()).send(topic, [json(1), json(2), json(3)]);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const delivered: number[] = [];
    const server = await startServer(topic, groupId, async (messages) => {
      entered = true;
      await gate;
      delivered.push(...ids(messages));
    });
    await pollUntil(() => entered, { timeoutMs: 30_000, description: 'the handler to start' });
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    closers.pop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false); // still waiting for the batch in hand
    release();
    await closing;
    expect(delivered).toEqual([1, 2, 3]);
    expect(await committedTotal(groupId, topic)).toBe(3);
  });

  it('shares partitions between two instances of one group, each message handled once', async () => {
    const topic = await topicPair('group', 4);
    const groupId = uniqueTopic('g-shared');
    const assignments = new Map<string, number[]>();
    const seenBy: Record<string, number[]> = { a: [], b: [] };
    const start = async (name: 'a' | 'b') => {
      const server = new KafkaBatchServer({
        kafka,
        groupId,
        deadLetterProducer: await producer(),
        decode: jsonDecoder,
        consumer: fastConsumer,
      });
      server.on('consumer.group_join', (event: unknown) => {
        const assigned = (event as { payload: { memberAssignment: Record<string, number[]> } }).payload
          .memberAssignment;
        assignments.set(name, assigned[topic] ?? []);
      });
      server.registerHandler(topic, async (messages) => {
        seenBy[name].push(...ids(messages));
      });
      await new Promise<void>((resolve, reject) => server.listen((e) => (e ? reject(e) : resolve())));
      closers.push(() => server.close());
    };
    await start('a');
    await start('b');
    await pollUntil(
      () => {
        const all = [...(assignments.get('a') ?? []), ...(assignments.get('b') ?? [])].sort();
        return (
          (assignments.get('a')?.length ?? 0) > 0 &&
          (assignments.get('b')?.length ?? 0) > 0 &&
          all.join() === '0,1,2,3'
        );
      },
      { timeoutMs: 60_000, description: 'both instances to own disjoint partitions' },
    );
    const p = await producer();
    await p.send(
      topic,
      Array.from({ length: 200 }, (_, i) => ({ key: `learner-${i}`, value: JSON.stringify({ id: i }) })),
    );
    await expectEventually(
      () =>
        expect([...seenBy.a, ...seenBy.b].sort((x, y) => x - y)).toEqual(
          Array.from({ length: 200 }, (_, i) => i),
        ),
      { timeoutMs: 30_000 },
    );
    expect(seenBy.a.length).toBeGreaterThan(0);
    expect(seenBy.b.length).toBeGreaterThan(0);
  });
});

const NEST_TOPIC = uniqueTopic('bus-nest');

@Controller()
class StatementsConsumer {
  readonly batches: { ids: number[]; partition: number }[] = [];

  @EventPattern(NEST_TOPIC)
  async onReceived(@Payload() messages: ConsumedMessage<{ id: number }>[], @Ctx() context: BatchContext) {
    await context.heartbeat();
    this.batches.push({ ids: messages.map((m) => m.value.id), partition: context.getPartition() });
  }
}

describe('KafkaBatchServer as a NestJS microservice', () => {
  let app: INestMicroservice | undefined;
  afterEach(async () => app?.close());

  it('delivers batches to an @EventPattern controller', async () => {
    await ensureTopics(kafka, [
      { name: NEST_TOPIC, partitions: 2 },
      { name: dlqTopicOf(NEST_TOPIC), partitions: 1 },
    ]);
    const p = await producer();
    const moduleRef = await Test.createTestingModule({ controllers: [StatementsConsumer] }).compile();
    const groupId = uniqueTopic('g-nest');
    app = moduleRef.createNestMicroservice({
      strategy: new KafkaBatchServer({
        kafka,
        groupId,
        deadLetterProducer: p,
        decode: jsonDecoder,
        consumer: fastConsumer,
      }),
      logger: ['error', 'warn'],
    });
    await app.listen();
    await p.send(
      NEST_TOPIC,
      Array.from({ length: 50 }, (_, i) => json(i)),
    );
    const consumer = app.get(StatementsConsumer);
    await expectEventually(
      () =>
        expect(consumer.batches.flatMap((b) => b.ids).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 50 }, (_, i) => i),
        ),
      { timeoutMs: 30_000 },
    );
    expect(consumer.batches.length).toBeLessThan(50); // batches, not one call per message
    await expectEventually(async () => expect(await committedTotal(groupId, NEST_TOPIC)).toBe(50), {
      timeoutMs: 10_000,
    });
  });
});
