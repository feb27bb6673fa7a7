import { randomUUID } from 'node:crypto';
import type { MessageProducer, OutgoingMessage } from '@app/bus';
import { parseStatement } from '@app/xapi';
import { StatementsNotDurableError } from './errors';
import { InMemoryStatementLookup } from './statement-lookup';
import { StatementIngest, type IngestContext } from './statement-ingest';

/** A producer whose sends wait until the test acknowledges or fails them (a slow broker). */
class GatedProducer implements MessageProducer {
  readonly sends: { messages: readonly OutgoingMessage[]; ack: () => void; fail: (e: Error) => void }[] = [];
  send(_topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    return new Promise((resolve, reject) => this.sends.push({ messages, ack: resolve, fail: reject }));
  }
}

const context: IngestContext = {
  credential: { key: 'portal', sourceType: 'portal', scopes: ['all'] },
  sourceType: 'portal',
  version: '1.0.3',
  requestId: 'r1',
};

function statement(id: string) {
  return parseStatement({
    id,
    actor: { mbox: 'mailto:a@example.cn' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/attended' },
    object: { id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/2' },
  });
}

const settled = async (promise: Promise<unknown>): Promise<string> => {
  let state = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('StatementIngest with concurrent requests for one id', () => {
  it('sends once and acknowledges the second request only after the first is durable', async () => {
    const producer = new GatedProducer();
    const ingest = new StatementIngest({
      producer,
      lookup: new InMemoryStatementLookup(),
      authorityHomePage: 'https://x.cn',
    });
    const id = randomUUID();
    const first = ingest.storeAll([statement(id)], context);
    await new Promise((resolve) => setImmediate(resolve));
    const second = ingest.storeAll([statement(id)], context);
    expect(await settled(second)).toBe('pending');
    expect(producer.sends).toHaveLength(1);
    producer.sends[0].ack();
    await expect(first).resolves.toEqual([id]);
    await expect(second).resolves.toEqual([id]);
    expect(producer.sends).toHaveLength(1);
  });

  it('fails the waiting request too when the first send fails, and forgets the id', async () => {
    const producer = new GatedProducer();
    const ingest = new StatementIngest({
      producer,
      lookup: new InMemoryStatementLookup(),
      authorityHomePage: 'https://x.cn',
    });
    const id = randomUUID();
    const first = ingest.storeAll([statement(id)], context);
    await new Promise((resolve) => setImmediate(resolve));
    const second = ingest.storeAll([statement(id)], context);
    producer.sends[0].fail(new Error('broker down'));
    await expect(first).rejects.toBeInstanceOf(StatementsNotDurableError);
    await expect(second).rejects.toBeInstanceOf(StatementsNotDurableError);
    const retry = ingest.storeAll([statement(id)], context);
    await new Promise((resolve) => setImmediate(resolve));
    expect(producer.sends).toHaveLength(2);
    producer.sends[1].ack();
    await expect(retry).resolves.toEqual([id]);
  });

  it('answers 503 when the lookup cannot be reached, sending nothing', async () => {
    const producer = new GatedProducer();
    const ingest = new StatementIngest({
      producer,
      lookup: { findByIds: () => Promise.reject(new Error('warehouse down')) },
      authorityHomePage: 'https://x.cn',
    });
    await expect(ingest.storeAll([statement(randomUUID())], context)).rejects.toMatchObject({ status: 503 });
    expect(producer.sends).toHaveLength(0);
  });
});
