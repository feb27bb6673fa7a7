import { TokenBucketLimiter } from './rate-limiter';
import { uuidV5 } from './uuid-v5';
import { LruMap } from './lru-map';
import { WarehouseStatementLookup } from './statement-lookup';
import type { Warehouse, QueryParams } from '@app/warehouse';
import { messageKey } from './statement-ingest';

describe('uuidV5', () => {
  it('matches the RFC example (DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });
  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(RangeError);
  });
});

describe('TokenBucketLimiter', () => {
  it('allows the burst, then refills at the rate and says how long to wait', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ statementsPerSecond: 10, burst: 20, now: () => now });
    expect(limiter.take('a', 20)).toEqual({ allowed: true });
    expect(limiter.take('a', 5)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('b', 5)).toEqual({ allowed: true });
    now = 500;
    expect(limiter.take('a', 5)).toEqual({ allowed: true });
    expect(limiter.take('a', 15)).toEqual({ allowed: false, retryAfterSeconds: 2 });
  });
  it('charges a request larger than the bucket the whole bucket', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ statementsPerSecond: 1, burst: 5, now: () => now });
    expect(limiter.take('a', 500)).toEqual({ allowed: true });
    expect(limiter.take('a', 500)).toEqual({ allowed: false, retryAfterSeconds: 5 });
    now = 5000;
    expect(limiter.take('a', 500)).toEqual({ allowed: true });
  });
});

describe('LruMap', () => {
  it('evicts the least recently used entry', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.get('a');
    map.set('c', 3);
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([1, undefined, 3]);
  });
});

describe('messageKey', () => {
  it('is the canonical actor key, and sorted member keys for an anonymous group', () => {
    expect(messageKey({ objectType: 'Agent', mbox: 'mailto:A@EXAMPLE.cn' })).toBe('mbox:mailto:A@example.cn');
    expect(
      messageKey({
        objectType: 'Group',
        member: [
          { objectType: 'Agent', mbox: 'mailto:b@example.cn' },
          { objectType: 'Agent', mbox: 'mailto:a@example.cn' },
        ],
      }),
    ).toBe('anonymous-group:mbox:mailto:a@example.cn,mbox:mailto:b@example.cn');
  });
});

describe('WarehouseStatementLookup', () => {
  it('asks for lower-case unique ids with an alias other than id and maps sid → raw', async () => {
    const calls: { sql: string; params?: QueryParams }[] = [];
    const warehouse: Pick<Warehouse, 'query'> = {
      query: async <T>(sql: string, params?: QueryParams) => {
        calls.push({ sql, params });
        return [
          { sid: 'aaaaaaaa-0000-4000-8000-000000000001', raw: '{"a":1}' },
          { sid: 'aaaaaaaa-0000-4000-8000-000000000001', raw: '{"a":1}' },
        ] as T[];
      },
    };
    const lookup = new WarehouseStatementLookup(warehouse as Warehouse);
    const found = await lookup.findByIds([
      'AAAAAAAA-0000-4000-8000-000000000001',
      'aaaaaaaa-0000-4000-8000-000000000001',
      'aaaaaaaa-0000-4000-8000-000000000002',
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0].sql).toBe(
      'SELECT toString(id) AS sid, raw FROM statements WHERE id IN {ids:Array(UUID)}',
    );
    expect(calls[0].params).toEqual({
      ids: ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002'],
    });
    expect([...found]).toEqual([['aaaaaaaa-0000-4000-8000-000000000001', '{"a":1}']]);
  });
});
