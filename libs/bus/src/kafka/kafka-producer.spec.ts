import type { Kafka, ProducerBatch } from 'kafkajs';
import { ProducerClosedError } from '../core/errors';
import { KafkaProducer } from './kafka-producer';

/**
 * The queueing and settlement rules, against a strict stand-in for the kafkajs producer whose requests
 * the test acknowledges by hand. Broker behaviour itself is covered by kafka-bus.int-spec.ts.
 */
class ManualProducer {
  readonly requests: { batch: ProducerBatch; ack: () => void; fail: (error: Error) => void }[] = [];
  connect = async () => {};
  disconnect = async () => {};
  sendBatch = (batch: ProducerBatch) =>
    new Promise<void>((resolve, reject) => this.requests.push({ batch, ack: resolve, fail: reject }));
  on = () => {
    throw new Error('unexpected call');
  };
}

function setup(options: ConstructorParameters<typeof KafkaProducer>[1] = {}) {
  const fake = new ManualProducer();
  const kafka = { producer: () => fake } as unknown as Kafka;
  return { producer: new KafkaProducer(kafka, { lingerMs: 1, ...options }), fake };
}

const msg = (n: number) => ({ key: `k${n}`, value: `v${n}` });
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
const valuesOf = (batch: ProducerBatch) =>
  (batch.topicMessages ?? []).flatMap((t) => t.messages.map((m) => `${t.topic}:${String(m.value)}`));

async function settled(promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
}

describe('KafkaProducer batching', () => {
  it('coalesces concurrent sends into one acks=all request and resolves them only when it is acked', async () => {
    const { producer, fake } = setup();
    const a = producer.send('t1', [msg(1), msg(2)]);
    const b = producer.send('t2', [msg(3)]);
    await tick();
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].batch.acks).toBe(-1);
    expect(valuesOf(fake.requests[0].batch)).toEqual(['t1:v1', 't1:v2', 't2:v3']);
    expect(await settled(a)).toBe('pending');
    fake.requests[0].ack();
    await expect(Promise.all([a, b])).resolves.toEqual([undefined, undefined]);
  });

  it('keeps one request in flight; sends arriving meanwhile go in the next one', async () => {
    const { producer, fake } = setup();
    const first = producer.send('t', [msg(1)]);
    await tick();
    const second = producer.send('t', [msg(2)]);
    const third = producer.send('t', [msg(3)]);
    await tick();
    expect(fake.requests).toHaveLength(1);
    fake.requests[0].ack();
    await first;
    await tick();
    expect(fake.requests).toHaveLength(2);
    expect(valuesOf(fake.requests[1].batch)).toEqual(['t:v2', 't:v3']);
    fake.requests[1].ack();
    await Promise.all([second, third]);
  });

  it('rejects exactly the callers whose request failed, and later sends still go out', async () => {
    const { producer, fake } = setup();
    const failed = producer.send('t', [msg(1)]);
    await tick();
    fake.requests[0].fail(new Error('NOT_ENOUGH_REPLICAS'));
    await expect(failed).rejects.toThrow('NOT_ENOUGH_REPLICAS');
    const later = producer.send('t', [msg(2)]);
    await tick();
    fake.requests[1].ack();
    await expect(later).resolves.toBeUndefined();
  });

  it('flushes at the message limit without waiting for the linger', async () => {
    const { producer, fake } = setup({ lingerMs: 60_000, maxBatchMessages: 3 });
    const a = producer.send('t', [msg(1), msg(2)]);
    const b = producer.send('t', [msg(3), msg(4)]);
    await tick();
    expect(fake.requests.map((r) => valuesOf(r.batch))).toEqual([['t:v1', 't:v2']]);
    fake.requests[0].ack();
    await a;
    await tick();
    expect(valuesOf(fake.requests[1].batch)).toEqual(['t:v3', 't:v4']);
    fake.requests[1].ack();
    await b;
  });

  it('splits one send larger than a request may carry, in order, and resolves it when every part is acked', async () => {
    // Each message is 2 + 2 bytes; 10 bytes per request fits two of them.
    const { producer, fake } = setup({ lingerMs: 60_000, maxBatchBytes: 10 });
    const big = producer.send('t', [msg(1), msg(2), msg(3), msg(4), msg(5)]);
    await tick();
    expect(valuesOf(fake.requests[0].batch)).toEqual(['t:v1', 't:v2']);
    fake.requests[0].ack();
    await tick();
    expect(await settled(big)).toBe('pending');
    expect(valuesOf(fake.requests[1].batch)).toEqual(['t:v3', 't:v4']);
    fake.requests[1].ack();
    await tick();
    expect(valuesOf(fake.requests[2].batch)).toEqual(['t:v5']);
    expect(await settled(big)).toBe('pending');
    fake.requests[2].ack();
    await big;
  });

  it('does not strand a send made right after an ack, between the drain loop and its cleanup', async () => {
    const { producer, fake } = setup();
    const acks = setInterval(() => fake.requests.forEach((r) => r.ack()), 1);
    try {
      for (let i = 0; i < 20; i++) {
        await producer.send('t', [msg(i)]);
        await Promise.resolve();
      }
    } finally {
      clearInterval(acks);
    }
    expect(fake.requests.flatMap((r) => valuesOf(r.batch))).toHaveLength(20);
  });

  it('flushes what is queued on disconnect and refuses sends afterwards', async () => {
    const { producer, fake } = setup({ lingerMs: 60_000 });
    const pending = producer.send('t', [msg(1)]);
    const closing = producer.disconnect();
    await tick();
    expect(fake.requests).toHaveLength(1);
    fake.requests[0].ack();
    await pending;
    await closing;
    await expect(producer.send('t', [msg(2)])).rejects.toBeInstanceOf(ProducerClosedError);
  });
});
