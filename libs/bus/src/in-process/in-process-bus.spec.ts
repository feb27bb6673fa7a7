import { decodeDlqHeaders, encodeMessage, topics, type ReceivedStatementValue } from '@app/contracts';
import { jsonDecoder } from '../core/decoders';
import {
  InvalidBatchResultError,
  NoSubscriberError,
  PermanentError,
  PoisonMessageError,
  RetriableError,
} from '../core/errors';
import { outcome, type ConsumedMessage, type OutgoingMessage } from '../core/ports';
import type { ConsumerMetrics } from '../core/consumer-metrics';
import { InProcessBus, type DeadLetterRecord } from './in-process-bus';

const RECEIVED = topics.statementsReceived.name;
const ENRICHED = topics.statementsEnriched.name;

function receivedMessage(n: number): OutgoingMessage {
  const value: ReceivedStatementValue = {
    statement: { id: `statement-${n}` },
    receivedAt: '2026-11-28T08:00:00.000Z',
    source: { type: 'portal', credentialKey: 'portal' },
    requestId: `req-${n}`,
  };
  return encodeMessage(topics.statementsReceived, { key: `learner-${n % 3}`, value });
}

function jsonMessage(n: number, extra: Record<string, unknown> = {}): OutgoingMessage {
  return { key: `k${n}`, value: JSON.stringify({ n, ...extra }) };
}

function setup(options: { metrics?: ConsumerMetrics; maxAttempts?: number } = {}) {
  const deadLetters: DeadLetterRecord[] = [];
  const bus = new InProcessBus({
    deadLetterSink: async (records) => {
      deadLetters.push(...records);
    },
    decode: jsonDecoder,
    retry: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: options.maxAttempts ?? 4 },
    metrics: options.metrics,
    name: 'spec',
  });
  return { bus, deadLetters };
}

type Numbered = { n: number; poison?: boolean };
const numbers = (messages: ConsumedMessage<unknown>[]) => messages.map((m) => (m.value as Numbered).n);

describe('InProcessBus', () => {
  it('hands decoded, contract-validated messages to the topic handler and resolves after it finished', async () => {
    const bus = new InProcessBus({ deadLetterSink: async () => {} });
    const seen: ConsumedMessage<ReceivedStatementValue>[] = [];
    let finished = false;
    bus.subscribe<ReceivedStatementValue>(RECEIVED, async (messages) => {
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(...messages);
      finished = true;
    });
    await bus.send(RECEIVED, [receivedMessage(1), receivedMessage(2)]);
    expect(finished).toBe(true);
    expect(seen.map((m) => m.value.requestId)).toEqual(['req-1', 'req-2']);
    expect(seen.map((m) => m.key)).toEqual(['learner-1', 'learner-2']);
    expect(seen.map((m) => m.offset)).toEqual(['0', '1']);
  });

  it('merges sends that arrive while the handler is busy into one batch (group commit)', async () => {
    const { bus } = setup();
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const firstBatchHeld = new Promise<void>((resolve) => (release = resolve));
    bus.subscribe(RECEIVED, async (messages) => {
      batches.push(numbers(messages));
      if (batches.length === 1) await firstBatchHeld;
    });
    const first = bus.send(RECEIVED, [jsonMessage(1)]);
    const waiting = [2, 3, 4].map((n) => bus.send(RECEIVED, [jsonMessage(n), jsonMessage(n * 10)]));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    release();
    await Promise.all([first, ...waiting]);
    expect(batches).toEqual([[1], [2, 20, 3, 30, 4, 40]]);
  });

  it('settles every merged caller with the batch: all reject when it fails for good', async () => {
    const { bus } = setup({ maxAttempts: 2 });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    bus.subscribe(RECEIVED, async () => {
      calls += 1;
      if (calls === 1) return held;
      throw new RetriableError('warehouse unavailable');
    });
    const first = bus.send(RECEIVED, [jsonMessage(1)]);
    const merged = [bus.send(RECEIVED, [jsonMessage(2)]), bus.send(RECEIVED, [jsonMessage(3)])];
    release();
    await first;
    await expect(merged[0]).rejects.toThrow('warehouse unavailable');
    await expect(merged[1]).rejects.toThrow('warehouse unavailable');
  });

  it('resolves a chained send only after the downstream handler finished too', async () => {
    const { bus } = setup();
    const order: string[] = [];
    bus.subscribe(ENRICHED, async (messages) => {
      order.push(`sink ${numbers(messages).join(',')}`);
    });
    bus.subscribe(RECEIVED, async (messages) => {
      await bus.send(
        ENRICHED,
        messages.map((m) => jsonMessage((m.value as Numbered).n * 10)),
      );
      order.push('enricher done');
    });
    await bus.send(RECEIVED, [jsonMessage(1), jsonMessage(2)]);
    order.push('send resolved');
    expect(order).toEqual(['sink 10,20', 'enricher done', 'send resolved']);
  });

  it('dead-letters messages a handler marks dlq, with original bytes and x-dlq-* headers, and drops dropped ones', async () => {
    const dropped: string[] = [];
    const { bus, deadLetters } = setup({ metrics: { dropped: (e) => dropped.push(e.reason) } });
    bus.subscribe(RECEIVED, async (messages) => ({
      outcomes: messages.map((m) => {
        const n = (m.value as Numbered).n;
        if (n === 2) return outcome.dlq('learning point unknown', 'UnknownLearningPoint');
        if (n === 3) return outcome.drop('duplicate');
        return outcome.ok();
      }),
    }));
    const sent = [jsonMessage(1), { ...jsonMessage(2), headers: { 'x-request-id': 'r2' } }, jsonMessage(3)];
    await bus.send(RECEIVED, sent);
    expect(deadLetters).toHaveLength(1);
    const [letter] = deadLetters;
    expect(letter.topic).toBe(`${RECEIVED}.dlq`);
    expect(letter.value?.toString()).toBe(sent[1].value);
    expect(letter.key?.toString()).toBe('k2');
    expect(letter.headers['x-request-id']).toBe('r2');
    expect(decodeDlqHeaders(letter.headers)).toMatchObject({
      reason: 'learning point unknown',
      errorClass: 'UnknownLearningPoint',
      sourceTopic: RECEIVED,
      sourceOffset: '1',
      consumerGroup: 'spec',
    });
    expect(dropped).toEqual(['duplicate']);
  });

  it('finds the poison messages of a batch that throws a permanent error and lets the good ones through', async () => {
    const { bus, deadLetters } = setup();
    const processed: number[] = [];
    bus.subscribe(RECEIVED, async (messages) => {
      const poison = messages.find((m) => (m.value as Numbered).poison);
      if (poison) throw new PoisonMessageError(`message ${(poison.value as Numbered).n} is poison`);
      processed.push(...numbers(messages));
    });
    const batch = [1, 2, 3, 4, 5, 6, 7].map((n) => jsonMessage(n, { poison: n === 3 || n === 6 }));
    await bus.send(RECEIVED, batch);
    expect(processed).toEqual([1, 2, 4, 5, 7]);
    expect(deadLetters.map((l) => JSON.parse(l.value?.toString() ?? '') as Numbered).map((v) => v.n)).toEqual(
      [3, 6],
    );
    expect(deadLetters.map((l) => l.metadata.errorClass)).toEqual([
      'PoisonMessageError',
      'PoisonMessageError',
    ]);
    expect(deadLetters[0].metadata.reason).toBe('message 3 is poison');
  });

  it('dead-letters undecodable messages without calling the handler for them', async () => {
    const { bus, deadLetters } = setup();
    const processed: number[] = [];
    bus.subscribe(RECEIVED, async (messages) => {
      processed.push(...numbers(messages));
    });
    await bus.send(RECEIVED, [jsonMessage(1), { key: 'k', value: '{not json' }, jsonMessage(3)]);
    expect(processed).toEqual([1, 3]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0].metadata.errorClass).toBe('SyntaxError');
  });

  it('retries retriable errors with the same messages until they succeed, dead-lettering nothing', async () => {
    const retries: number[] = [];
    const { bus, deadLetters } = setup({ metrics: { retry: (e) => retries.push(e.attempt) } });
    let calls = 0;
    const processed: number[] = [];
    bus.subscribe(RECEIVED, async (messages) => {
      calls++;
      if (calls < 3) throw new RetriableError('warehouse unavailable');
      processed.push(...numbers(messages));
    });
    await bus.send(RECEIVED, [jsonMessage(1), jsonMessage(2)]);
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
    expect(processed).toEqual([1, 2]);
    expect(deadLetters).toEqual([]);
  });

  it('rejects the send when retriable failures outlast the policy (the caller must know), dead-lettering nothing', async () => {
    const { bus, deadLetters } = setup({ maxAttempts: 3 });
    let calls = 0;
    bus.subscribe(RECEIVED, async () => {
      calls++;
      throw new Error('socket hang up'); // unknown errors count as retriable
    });
    await expect(bus.send(RECEIVED, [jsonMessage(1)])).rejects.toThrow('socket hang up');
    expect(calls).toBe(3);
    expect(deadLetters).toEqual([]);
  });

  it('classifies a plain PermanentError subclass as permanent', async () => {
    class UnknownSkill extends PermanentError {}
    const { bus, deadLetters } = setup();
    bus.subscribe(RECEIVED, async () => {
      throw new UnknownSkill('skill x');
    });
    await bus.send(RECEIVED, [jsonMessage(1)]);
    expect(deadLetters.map((l) => l.metadata.errorClass)).toEqual(['UnknownSkill']);
  });

  it('refuses a handler result that does not cover the batch', async () => {
    const { bus } = setup();
    bus.subscribe(RECEIVED, async () => ({ outcomes: [outcome.ok()] }));
    await expect(bus.send(RECEIVED, [jsonMessage(1), jsonMessage(2)])).rejects.toBeInstanceOf(
      InvalidBatchResultError,
    );
  });

  it('refuses to send to a topic nobody handles, so nothing is silently lost', async () => {
    const { bus } = setup();
    await expect(bus.send(ENRICHED, [jsonMessage(1)])).rejects.toBeInstanceOf(NoSubscriberError);
  });

  it('stores messages sent straight to a dlq topic in the sink, if they carry dlq headers', async () => {
    const { bus, deadLetters } = setup();
    const headers = {
      'x-dlq-reason': 'replayed by hand',
      'x-dlq-error-class': 'Manual',
      'x-dlq-source-topic': RECEIVED,
      'x-dlq-source-partition': '0',
      'x-dlq-source-offset': '5',
      'x-dlq-failed-at': '2026-11-28T10:00:00.000Z',
      'x-dlq-consumer-group': 'ops',
    };
    await bus.send(`${RECEIVED}.dlq`, [{ key: 'k', value: 'v', headers }]);
    expect(deadLetters[0].metadata.reason).toBe('replayed by hand');
    await expect(bus.send(`${RECEIVED}.dlq`, [{ key: 'k', value: 'v' }])).rejects.toThrow('headers invalid');
  });
});
