import { ContractDecodeError } from '@app/contracts';
import { processBatch, type BatchProcessorDeps, type DeadLetter, type RawMessage } from './batch-processor';
import { jsonDecoder } from './decoders';
import {
  classifyError,
  errorClassName,
  PermanentError,
  PoisonMessageError,
  RetriableError,
  ShutdownInterruptedError,
} from './errors';

function raw(offset: number, value: string): RawMessage {
  return {
    topic: 't',
    partition: 0,
    offset: String(offset),
    key: null,
    headers: {},
    timestamp: '0',
    raw: { key: null, value: Buffer.from(value), headers: {} },
  };
}

function deps(overrides: Partial<BatchProcessorDeps> = {}) {
  const done: string[] = [];
  const letters: DeadLetter[] = [];
  let heartbeats = 0;
  const value: BatchProcessorDeps = {
    decode: jsonDecoder,
    retry: { initialDelayMs: 5, maxDelayMs: 5 },
    isStopping: () => false,
    heartbeat: async () => {
      heartbeats++;
    },
    markDone: async (last) => {
      done.push(last.offset);
    },
    deadLetter: async (l) => {
      letters.push(...l);
    },
    waitSliceMs: 1,
    ...overrides,
  };
  return { value, done, letters, heartbeats: () => heartbeats };
}

describe('processBatch', () => {
  it('marks progress only up to the last finished message when stopped in the middle of retries', async () => {
    let stopping = false;
    const d = deps({ isStopping: () => stopping });
    let calls = 0;
    const run = processBatch(
      't',
      0,
      [raw(0, 'broken'), raw(1, '{"n":1}'), raw(2, '{"n":2}')],
      async () => {
        calls++;
        if (calls === 3) stopping = true;
        throw new RetriableError('down');
      },
      d.value,
    );
    await expect(run).rejects.toBeInstanceOf(ShutdownInterruptedError);
    expect(d.done).toEqual(['0']); // the undecodable message was dead-lettered; 1 and 2 stay uncommitted
    expect(d.letters.map((l) => l.message.offset)).toEqual(['0']);
    expect(d.heartbeats()).toBeGreaterThan(0);
  });

  it('splits a permanently failing batch and marks every part done in order', async () => {
    const d = deps();
    const processed: number[][] = [];
    await processBatch(
      't',
      0,
      [0, 1, 2, 3].map((n) => raw(n, JSON.stringify({ n }))),
      async (messages) => {
        const values = messages.map((m) => (m.value as { n: number }).n);
        if (values.includes(1)) throw new PermanentError('one is bad');
        processed.push(values);
      },
      d.value,
    );
    expect(processed).toEqual([[0], [2, 3]]);
    expect(d.letters.map((l) => l.message.offset)).toEqual(['1']);
    expect(d.done).toEqual(['0', '1', '3']);
  });

  it('does not mark a batch done when dead-lettering fails (the letter must be durable first)', async () => {
    const d = deps({
      deadLetter: async () => {
        throw new Error('dlq topic unavailable');
      },
    });
    await expect(
      processBatch(
        't',
        0,
        [raw(0, '{}')],
        async () => {
          throw new PoisonMessageError('bad');
        },
        d.value,
      ),
    ).rejects.toThrow('dlq topic unavailable');
    expect(d.done).toEqual([]);
  });
});

describe('classifyError', () => {
  it.each([
    [new RetriableError('x'), 'retriable'],
    [new PermanentError('x'), 'permanent'],
    [new PoisonMessageError('x'), 'permanent'],
    [new ContractDecodeError('t', 'value', []), 'permanent'],
    [new SyntaxError('x'), 'permanent'],
    [new Error('ECONNRESET'), 'retriable'],
    [{ status: 'error', message: 'Internal server error' }, 'retriable'],
    [Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' }), 'permanent'],
    [
      Object.assign(new Error('retries exceeded'), {
        originalError: Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' }),
      }),
      'permanent',
    ],
    [Object.assign(new Error('not leader'), { type: 'NOT_LEADER_FOR_PARTITION' }), 'retriable'],
  ])('classifies %p as %s', (error, expected) => {
    expect(classifyError(error)).toBe(expected);
  });

  it('names a subclass that did not set `name` by its class', () => {
    class WarehouseDown extends RetriableError {}
    expect(errorClassName(new WarehouseDown('x'))).toBe('WarehouseDown');
    expect(errorClassName(Object.assign(new Error('x'), { name: 'ZodError' }))).toBe('ZodError');
  });
});
