import { randomUUID } from 'node:crypto';
import {
  InProcessBus,
  type ConsumedMessage,
  type DeadLetterRecord,
  type MessageProducer,
  type OutgoingMessage,
} from '@app/bus';
import {
  decodeValue,
  encodeMessage,
  topics,
  type EnrichedStatementValue,
  type LearnerChangedValue,
  type ReceivedStatementValue,
} from '@app/contracts';
import { LearnerDirectory } from '@app/enrichment';
import { learner, referenceIndex } from '@app/enrichment/test-fixtures';
import { PipelineMetrics } from '@app/observability';
import { createEnrichStep } from './enrich.step';
import { createLearnerChangeStep } from './learner-registry-changes.step';

const reference = referenceIndex();
const WANG = 'mbox:mailto:wang@example.cn';
const LEARNING_POINT_EXTENSION = 'https://learn.jlp.cq.cn/xapi/extensions/learning-point';

function received(
  options: { email?: string; boundLearningPointId?: string; context?: Record<string, unknown> } = {},
): { key: string; value: ReceivedStatementValue } {
  const email = options.email ?? 'wang@example.cn';
  const id = randomUUID();
  return {
    key: `mbox:mailto:${email}`,
    value: {
      statement: {
        id,
        actor: { objectType: 'Agent', mbox: `mailto:${email}` },
        verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { en: 'completed' } },
        object: {
          objectType: 'Activity',
          id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/3',
        },
        ...(options.context ? { context: options.context } : {}),
        timestamp: '2026-03-01T16:30:00+08:00',
        stored: '2026-03-01T08:30:01.000Z',
        version: '1.0.3',
      },
      receivedAt: '2026-03-01T08:30:01.000Z',
      source: {
        type: options.boundLearningPointId ? 'classroom' : 'portal',
        credentialKey: options.boundLearningPointId ? 'classroom-01' : 'portal',
        ...(options.boundLearningPointId ? { boundLearningPointId: options.boundLearningPointId } : {}),
      },
      requestId: randomUUID(),
    },
  };
}

function consumed(message: { key: string; value: ReceivedStatementValue }, offset = 0) {
  const encoded = encodeMessage(topics.statementsReceived, message);
  return {
    topic: topics.statementsReceived.name,
    partition: 0,
    offset: String(offset),
    key: message.key,
    value: message.value,
    headers: {},
    timestamp: String(Date.now()),
    raw: { key: encoded.key, value: encoded.value, headers: {} },
  } satisfies ConsumedMessage<ReceivedStatementValue>;
}

/** Born 1956, home point LP009 in T02 (east). */
const directory = () =>
  LearnerDirectory.from([learner({ id: 'L000001', homeTownId: 'T02', homeLearningPointId: 'LP009' })]);

describe('enrich step on the in-process bus', () => {
  let bus: InProcessBus;
  let enriched: ConsumedMessage<EnrichedStatementValue>[];
  let deadLetters: DeadLetterRecord[];
  let learners: LearnerDirectory;
  const metrics = new PipelineMetrics({ defaultMetrics: false });

  beforeEach(() => {
    enriched = [];
    deadLetters = [];
    learners = directory();
    bus = new InProcessBus({
      deadLetterSink: async (records) => {
        deadLetters.push(...records);
      },
      retry: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 },
    });
    bus.subscribe(
      topics.statementsReceived.name,
      createEnrichStep({ producer: bus, reference, learners, metrics }),
    );
    bus.subscribe<EnrichedStatementValue>(topics.statementsEnriched.name, async (messages) => {
      enriched.push(...messages);
    });
  });

  const send = (...messages: { key: string; value: ReceivedStatementValue }[]) =>
    bus.send(
      topics.statementsReceived.name,
      messages.map((m) => encodeMessage(topics.statementsReceived, m)),
    );

  it('adds place and demographics: credential point over home point, age band at the statement time', async () => {
    const inClassroom = received({ boundLearningPointId: 'LP001' });
    const atHome = received();
    await send(inClassroom, atHome);

    expect(enriched.map((m) => m.key)).toEqual([WANG, WANG]);
    expect(enriched[0].value).toEqual({
      ...inClassroom.value,
      enrichment: {
        learnerId: 'L000001',
        learnerKnown: true,
        learningPointId: 'LP001',
        schoolId: 'S01',
        townId: 'T01',
        region: 'west',
        ageBand: '70-79',
        gender: 'female',
        homeTownId: 'T02',
        skillId: expect.any(String),
        verbCategory: 'completed',
        attribution: 'credential',
      },
    });
    expect(enriched[1].value.enrichment).toMatchObject({
      learningPointId: 'LP009',
      townId: 'T02',
      region: 'east',
      attribution: 'home',
    });
    expect(deadLetters).toEqual([]);
    expect((await metrics.render()).body).toContain(
      `pipeline_messages_out_total{topic="${topics.statementsEnriched.name}"} 2`,
    );
  });

  it('keeps unknown learners, with unknown demographics', async () => {
    await send(received({ email: 'nobody@example.cn' }));
    expect(enriched[0].value.enrichment).toMatchObject({
      learnerId: null,
      learnerKnown: false,
      ageBand: 'unknown',
      gender: 'unknown',
      learningPointId: 'unattributed',
      region: 'unknown',
    });
  });

  it('dead-letters a statement naming an unknown learning point, with the code, and enriches the rest', async () => {
    const good = received();
    const unknownPoint = received({ context: { extensions: { [LEARNING_POINT_EXTENSION]: 'LP999' } } });
    await send(good, unknownPoint);

    expect(enriched.map((m) => m.value.requestId)).toEqual([good.value.requestId]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0].topic).toBe(topics.statementsReceived.dlq.name);
    expect(deadLetters[0].metadata.reason).toMatch(/^unknown-learning-point: .*LP999/);
    expect(deadLetters[0].metadata.errorClass).toBe('EnrichmentError');
    // The dead letter is the received message as it was.
    expect(decodeValue(topics.statementsReceived, deadLetters[0].value)).toEqual(unknownPoint.value);
  });

  it('uses a learner change from the feed for later statements', async () => {
    bus.subscribe(topics.learnersChanged.name, createLearnerChangeStep(learners));
    const moved: LearnerChangedValue = learner({
      id: 'L000001',
      homeTownId: 'T01',
      homeLearningPointId: 'LP002',
      version: 2,
      updatedAt: '2026-02-01T00:00:00Z',
    });
    await bus.send(topics.learnersChanged.name, [
      encodeMessage(topics.learnersChanged, { key: 'L000001', value: moved }),
    ]);
    await send(received());
    expect(enriched[0].value.enrichment).toMatchObject({
      learningPointId: 'LP002',
      townId: 'T01',
      homeTownId: 'T01',
    });
  });
});

describe('enrich step delivery rules', () => {
  function recordingProducer(): MessageProducer & {
    sends: { topic: string; messages: OutgoingMessage[] }[];
  } {
    const sends: { topic: string; messages: OutgoingMessage[] }[] = [];
    return {
      sends,
      send: async (topic, messages) => {
        sends.push({ topic, messages: [...messages] });
      },
    };
  }

  it('produces the whole batch in one send, same keys, and reports one outcome per message', async () => {
    const producer = recordingProducer();
    const step = createEnrichStep({ producer, reference, learners: directory() });
    const batch = [
      consumed(received(), 0),
      consumed(received({ context: { extensions: { [LEARNING_POINT_EXTENSION]: 'not a point/x' } } }), 1),
      consumed(received({ email: 'li@example.cn' }), 2),
    ];
    const result = await step(batch);

    expect(result).toEqual({
      outcomes: [
        { type: 'ok' },
        {
          type: 'dlq',
          reason: expect.stringMatching(/^invalid-learning-point: /),
          errorClass: 'EnrichmentError',
        },
        { type: 'ok' },
      ],
    });
    expect(producer.sends).toHaveLength(1);
    expect(producer.sends[0].topic).toBe(topics.statementsEnriched.name);
    expect(producer.sends[0].messages.map((m) => m.key?.toString())).toEqual([
      WANG,
      'mbox:mailto:li@example.cn',
    ]);
    const values = producer.sends[0].messages.map((m) =>
      decodeValue(topics.statementsEnriched, m.value as Buffer),
    );
    expect(values.map((v) => v.requestId)).toEqual([batch[0].value.requestId, batch[2].value.requestId]);
  });

  it('returns only after the send was acknowledged', async () => {
    let acknowledge: () => void = () => undefined;
    const producer: MessageProducer = {
      send: () => new Promise<void>((resolve) => (acknowledge = resolve)),
    };
    const step = createEnrichStep({ producer, reference, learners: directory() });
    let settled = false;
    const running = step([consumed(received())]).then(() => (settled = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    acknowledge();
    await running;
    expect(settled).toBe(true);
  });

  it('lets a producer failure propagate so the transport retries the batch', async () => {
    const producer: MessageProducer = {
      send: async () => {
        throw new Error('broker unavailable');
      },
    };
    const step = createEnrichStep({ producer, reference, learners: directory() });
    await expect(step([consumed(received())])).rejects.toThrow('broker unavailable');
  });

  it('sends nothing when every message of the batch is dead-lettered', async () => {
    const producer = recordingProducer();
    const step = createEnrichStep({ producer, reference, learners: directory() });
    const { key: _key, ...withoutKey } = consumed(received());
    const noVerb = consumed(received(), 1);
    const { verb: _verb, ...statementWithoutVerb } = noVerb.value.statement;
    const result = await step([
      { ...withoutKey, key: null },
      { ...noVerb, value: { ...noVerb.value, statement: statementWithoutVerb } },
    ]);
    expect(result).toEqual({
      outcomes: [
        { type: 'dlq', reason: expect.stringMatching(/^missing-key/), errorClass: 'MissingKeyError' },
        {
          type: 'dlq',
          reason: expect.stringMatching(/^invalid-statement: statement\.verb/),
          errorClass: 'StatementShapeError',
        },
      ],
    });
    expect(producer.sends).toEqual([]);
  });
});
