import { randomUUID } from 'node:crypto';
import {
  KafkaBatchServer,
  KafkaProducer,
  contractDecoder,
  createKafkaClient,
  ensureTopics,
  outcome,
  type BatchHandler,
  type ConsumedMessage,
  type MessageOutcome,
} from '@app/bus';
import {
  DLQ_HEADERS,
  decodeDlqHeaders,
  decodeValue,
  encodeMessage,
  topicDeclarations,
  topics,
  type ReceivedStatementValue,
} from '@app/contracts';
import { LearnerDirectory } from '@app/enrichment';
import { learner, referenceIndex } from '@app/enrichment/test-fixtures';
import { expectEventually, testKafkaBrokers, uniqueTopic } from '@app/testing';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { createEnrichStep } from './enrich.step';

jest.setTimeout(120_000);

const kafka = createKafkaClient({ brokers: testKafkaBrokers(), clientId: 'enrich-step-int-spec' });
const fastConsumer = {
  sessionTimeout: 6000,
  heartbeatInterval: 500,
  rebalanceTimeout: 10_000,
  maxWaitTimeInMs: 100,
};
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

/**
 * The registry topics are shared by every integration test on this broker: this run only touches the
 * messages it produced (marked by a request-id prefix), so other tests' statements are neither enriched
 * nor dead-lettered by this consumer group.
 */
const RUN = `enrich-step-${randomUUID()}`;
function onlyThisRun(
  step: BatchHandler<ReceivedStatementValue>,
): BatchHandler<ReceivedStatementValue | null> {
  return async (messages) => {
    const mine = messages.flatMap((m, index) =>
      m.value !== null && m.value.requestId.startsWith(RUN) ? [index] : [],
    );
    const outcomes: MessageOutcome[] = messages.map(() => outcome.ok());
    if (mine.length === 0) return { outcomes };
    const result = await step(
      mine.map((index) => messages[index] as ConsumedMessage<ReceivedStatementValue>),
    );
    result?.outcomes.forEach((o, i) => (outcomes[mine[i]] = o));
    return { outcomes };
  };
}

async function collect(topic: string): Promise<KafkaMessage[]> {
  const received: KafkaMessage[] = [];
  const consumer: Consumer = kafka.consumer({ groupId: uniqueTopic('enrich-collector'), ...fastConsumer });
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

function statement(
  email: string,
  context?: Record<string, unknown>,
): { key: string; value: ReceivedStatementValue } {
  return {
    key: `mbox:mailto:${email}`,
    value: {
      statement: {
        id: randomUUID(),
        actor: { objectType: 'Agent', mbox: `mailto:${email}` },
        verb: { id: 'http://adlnet.gov/expapi/verbs/attended', display: { en: 'attended' } },
        object: {
          objectType: 'Activity',
          id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/1',
        },
        ...(context ? { context } : {}),
        timestamp: '2026-05-04T10:00:00+08:00',
        stored: '2026-05-04T02:00:00.000Z',
        version: '1.0.3',
      },
      receivedAt: '2026-05-04T02:00:00.000Z',
      source: { type: 'portal', credentialKey: 'portal' },
      requestId: `${RUN}-${randomUUID()}`,
    },
  };
}

describe('enrich step through the real broker', () => {
  it('enriches received statements onto the enriched topic and dead-letters an unknown learning point', async () => {
    await ensureTopics(kafka, topicDeclarations());
    const producer = new KafkaProducer(kafka, { lingerMs: 2 });
    await producer.connect();
    closers.push(() => producer.disconnect());

    const email = `${RUN}@example.cn`;
    // Born 1990, home point LP009 (T02, east): 36 in 2026.
    const learners = LearnerDirectory.from([
      learner({
        id: 'L300001',
        identities: [`mbox:mailto:${email}`],
        birthYear: 1990,
        homeTownId: 'T02',
        homeLearningPointId: 'LP009',
      }),
    ]);
    const groupId = uniqueTopic('enricher-step-test');
    const server = new KafkaBatchServer({
      kafka,
      groupId,
      deadLetterProducer: producer,
      // Other tests' messages on the shared topic reach the handler as null instead of being dead-lettered.
      decode: (topic, value) => {
        try {
          return contractDecoder(topic, value);
        } catch {
          return null;
        }
      },
      retry: { initialDelayMs: 50, maxDelayMs: 200 },
      consumer: fastConsumer,
    });
    server.registerHandler(
      topics.statementsReceived.name,
      onlyThisRun(createEnrichStep({ producer, reference: referenceIndex(), learners })),
    );
    await new Promise<void>((resolve, reject) =>
      server.listen((error) => (error ? reject(error) : resolve())),
    );
    closers.push(() => server.close());

    const enriched = await collect(topics.statementsEnriched.name);
    const deadLetters = await collect(topics.statementsReceived.dlq.name);

    const atHome = statement(email);
    const unknownPoint = statement(email, {
      contextActivities: {
        grouping: [
          { objectType: 'Activity', id: 'https://learn.jlp.cq.cn/xapi/activities/learning-point/LP404' },
        ],
      },
    });
    await producer.send(topics.statementsReceived.name, [
      encodeMessage(topics.statementsReceived, atHome),
      encodeMessage(topics.statementsReceived, unknownPoint),
    ]);

    // Another test's enricher reading the shared topic may enrich or dead-letter these statements too: keep
    // what this group wrote (the dead letters name the group; only this directory knows L300001).
    const mine = (messages: KafkaMessage[]) =>
      messages.filter((m) => m.value !== null && m.value.toString().includes(RUN));
    const [out] = await expectEventually(
      () => {
        const found = mine(enriched).filter(
          (m) => decodeValue(topics.statementsEnriched, m.value).enrichment.learnerId === 'L300001',
        );
        expect(found).toHaveLength(1);
        return found;
      },
      { timeoutMs: 60_000, description: 'the enriched statement' },
    );
    expect(out.key?.toString()).toBe(atHome.key);
    const value = decodeValue(topics.statementsEnriched, out.value);
    expect(value.statement).toEqual(atHome.value.statement);
    expect(value.enrichment).toMatchObject({
      learnerId: 'L300001',
      learningPointId: 'LP009',
      townId: 'T02',
      region: 'east',
      ageBand: '30-44',
      attribution: 'home',
      verbCategory: 'attended',
    });

    const [letter] = await expectEventually(
      () => {
        const found = mine(deadLetters).filter(
          (m) => m.headers?.[DLQ_HEADERS.consumerGroup]?.toString() === groupId,
        );
        expect(found).toHaveLength(1);
        return found;
      },
      { timeoutMs: 60_000, description: 'the dead letter' },
    );
    expect(decodeValue(topics.statementsReceived, letter.value)).toEqual(unknownPoint.value);
    const metadata = decodeDlqHeaders(letter.headers ?? {});
    expect(metadata.reason).toMatch(/^unknown-learning-point: .*LP404/);
    expect(letter.headers?.[DLQ_HEADERS.reason]?.toString()).toBe(metadata.reason);
    expect(metadata.sourceTopic).toBe(topics.statementsReceived.name);
  });
});
