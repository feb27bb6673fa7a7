import type { Warehouse } from '@app/warehouse';
import { AcknowledgedIsStored, PendingStatements } from './read-consistency';

/** A warehouse that knows the ids in `stored` (all findExistingIds asks). */
function fakeWarehouse(stored: Set<string>): Warehouse & { queries: number } {
  const fake = {
    kind: 'chdb' as const,
    queries: 0,
    command: async () => undefined,
    insertJsonEachRow: async () => undefined,
    queryBytes: async () => Buffer.alloc(0),
    close: async () => undefined,
    query: async <T>(_sql: string, params?: Readonly<Record<string, unknown>>): Promise<T[]> => {
      fake.queries += 1;
      const ids = (params?.ids ?? []) as string[];
      return ids.filter((id) => stored.has(id)).map((id) => ({ found_id: id }) as T);
    },
  };
  return fake;
}

const A = '0b9c2f7e-5d1a-4c3b-9e8f-7a6b5c4d3e2f';
const B = '1b9c2f7e-5d1a-4c3b-9e8f-7a6b5c4d3e2f';

describe('read consistency', () => {
  it('embedded: what is acknowledged is stored, so Consistent-Through is now', async () => {
    const now = new Date('2026-03-01T00:00:00.000Z');
    expect(await new AcknowledgedIsStored(() => now).settle()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('Kafka: stays just before the oldest acknowledged statement not yet stored, and waits for it', async () => {
    const stored = new Set<string>();
    const warehouse = fakeWarehouse(stored);
    const pending = new PendingStatements(warehouse, { pollMs: 5, maxWaitMs: 2_000 });
    pending.accepted([
      { id: A.toUpperCase(), stored: '2026-03-01T00:00:01.000Z' },
      { id: B, stored: '2026-03-01T00:00:02.000Z' },
    ]);
    expect(pending.current()).toBe('2026-03-01T00:00:00.999Z');
    // One look at the warehouse, no waiting: A arrived, B not yet.
    stored.add(A);
    expect(await pending.checked()).toBe('2026-03-01T00:00:01.999Z');
    stored.delete(A);
    setTimeout(() => stored.add(A), 30);
    setTimeout(() => stored.add(B), 60);
    const through = await pending.settle();
    expect(pending.size).toBe(0);
    expect(Date.parse(through)).toBeGreaterThan(Date.parse('2026-03-01T00:00:02.000Z'));
    expect(warehouse.queries).toBeGreaterThan(1);
  });

  it('gives up waiting after maxWaitMs, and forgets a statement never stored after giveUpAfterMs', async () => {
    let clock = Date.parse('2026-03-01T00:00:00.000Z');
    const pending = new PendingStatements(fakeWarehouse(new Set()), {
      pollMs: 1,
      maxWaitMs: 50,
      giveUpAfterMs: 60_000,
      now: () => new Date(clock),
    });
    pending.accepted([{ id: A, stored: '2026-03-01T00:00:00.000Z' }]);
    const waiting = pending.settle();
    clock += 100;
    expect(await waiting).toBe('2026-02-28T23:59:59.999Z');
    clock += 60_000;
    expect(Date.parse(await pending.settle())).toBe(clock);
    expect(pending.size).toBe(0);
  });

  it('a gateway that only takes writes keeps only the give-up window, and answers from the oldest kept', () => {
    let clock = Date.parse('2026-03-01T00:00:00.000Z');
    const warehouse = fakeWarehouse(new Set());
    const pending = new PendingStatements(warehouse, { giveUpAfterMs: 1_000, now: () => new Date(clock) });
    const id = (n: number) => `${n.toString(16).padStart(8, '0')}-5d1a-4c3b-9e8f-7a6b5c4d3e2f`;
    // Acknowledged out of stored order (a later batch's Kafka ack came first).
    pending.accepted([{ id: id(1), stored: '2026-03-01T00:00:00.500Z' }]);
    pending.accepted([{ id: id(2), stored: '2026-03-01T00:00:00.200Z' }]);
    expect(pending.current()).toBe('2026-03-01T00:00:00.199Z');
    for (let n = 3; n < 3_000; n += 1) {
      clock += 1;
      pending.accepted([{ id: id(n), stored: new Date(clock).toISOString() }]);
    }
    expect(pending.size).toBeLessThanOrEqual(1_001);
    const exact = clock - 1_000 - 1;
    // Write answers get a bound recomputed at most once a second: never later than the truth.
    const bound = Date.parse(pending.current());
    expect(bound).toBeLessThanOrEqual(exact);
    expect(bound).toBeGreaterThanOrEqual(exact - 1_000);
    expect(pending.current(true)).toBe(new Date(exact).toISOString());
    expect(warehouse.queries).toBe(0);
  });

  it('takes the earlier of its own knowledge and the sink watermark', async () => {
    const pending = new PendingStatements(fakeWarehouse(new Set()), {
      watermark: async () => '2026-03-01T00:00:00.000001Z',
      now: () => new Date('2026-03-01T00:00:05.000Z'),
    });
    expect(await pending.settle()).toBe('2026-03-01T00:00:00.000001Z');
  });
});
