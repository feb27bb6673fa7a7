import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChdbWarehouse } from './chdb-warehouse';
import { DocumentStore, type DocumentContext } from './document-store';
import { runMigrations } from './migration-runner';

describe('DocumentStore (xAPI documents on the real engine)', () => {
  let dir: string;
  let warehouse: ChdbWarehouse;
  let clock: number;
  let store: DocumentStore;

  const state: DocumentContext = {
    resource: 'state',
    activityId: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics',
    agentKey: 'mbox:mailto:learner-1@example.org',
    registration: '',
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'documents-'));
    warehouse = new ChdbWarehouse(dir);
    await runMigrations(warehouse);
  });
  beforeEach(() => {
    clock = Date.parse('2026-11-29T05:00:00.000Z');
    store = new DocumentStore(warehouse, () => clock);
  });
  afterAll(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores octets byte for byte with their content type, SHA-1 ETag and update time', async () => {
    const key = { ...state, activityId: `${state.activityId}/binary`, documentId: 'bookmark' };
    const content = Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x80, 0x22, 0x5c]);
    const written = await store.put(key, content, 'application/octet-stream');
    const read = await store.get(key);
    expect(read).toEqual({
      documentId: 'bookmark',
      content,
      contentType: 'application/octet-stream',
      etag: createHash('sha1').update(content).digest('hex'),
      updated: '2026-11-29T05:00:00.000Z',
    });
    expect(written).toEqual(read);
  });

  it('answers the latest version, and nothing after a delete', async () => {
    const key = { ...state, activityId: `${state.activityId}/versions`, documentId: 'progress' };
    await store.put(key, Buffer.from('{"page":1}'), 'application/json');
    clock += 1000;
    await store.put(key, Buffer.from('{"page":2}'), 'application/json');
    expect((await store.get(key))?.content.toString()).toBe('{"page":2}');
    expect((await store.get(key))?.updated).toBe('2026-11-29T05:00:01.000Z');

    clock += 1000;
    await store.delete([key]);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.list(key)).toEqual([]);
    // Stored again after the delete: back.
    await store.put(key, Buffer.from('{"page":3}'), 'application/json');
    expect((await store.get(key))?.content.toString()).toBe('{"page":3}');
  });

  it('keeps the newer write when two land in the same millisecond', async () => {
    const key = { ...state, activityId: `${state.activityId}/same-ms`, documentId: 'a' };
    await store.put(key, Buffer.from('first'), 'text/plain');
    await store.put(key, Buffer.from('second'), 'text/plain');
    expect((await store.get(key))?.content.toString()).toBe('second');
  });

  it('lets concurrent writes of different documents share INSERTs (group commit), every one stored', async () => {
    let inserts = 0;
    const counting = Object.assign(Object.create(warehouse) as ChdbWarehouse, {
      insertJsonEachRow: (table: string, rows: readonly Record<string, unknown>[]) => {
        inserts += 1;
        return warehouse.insertJsonEachRow(table, rows);
      },
    });
    const grouped = new DocumentStore(counting, () => clock);
    const keys = Array.from({ length: 50 }, (_, i) => ({
      ...state,
      activityId: `${state.activityId}/grouped`,
      agentKey: `mbox:mailto:learner-${i}@example.org`,
      documentId: 'bookmark',
    }));
    await Promise.all(
      keys.map((key, i) => grouped.put(key, Buffer.from(`{"page":${i}}`), 'application/json')),
    );
    expect(inserts).toBeLessThan(10);
    const read = await Promise.all(keys.map((key) => grouped.get(key)));
    expect(read.map((d) => d?.content.toString())).toEqual(keys.map((_, i) => `{"page":${i}}`));
  });

  it('keeps contexts apart: activity, agent, registration and resource are part of the key', async () => {
    const activityId = `${state.activityId}/contexts`;
    const base = { ...state, activityId, documentId: 'd' };
    const registration = '3f0a1b2c-0000-4000-8000-000000000001';
    await store.put(base, Buffer.from('none'), 'text/plain');
    await store.put({ ...base, registration }, Buffer.from('registered'), 'text/plain');
    await store.put(
      { ...base, agentKey: 'mbox:mailto:other@example.org' },
      Buffer.from('other'),
      'text/plain',
    );
    await store.put(
      { ...base, resource: 'activity_profile', agentKey: '' },
      Buffer.from('profile'),
      'text/plain',
    );
    expect((await store.get(base))?.content.toString()).toBe('none');
    expect((await store.get({ ...base, registration }))?.content.toString()).toBe('registered');
    expect(
      (await store.get({ ...base, resource: 'activity_profile', agentKey: '' }))?.content.toString(),
    ).toBe('profile');
    expect(await store.get({ ...base, resource: 'agent_profile' })).toBeUndefined();
  });

  it('lists ids of a context, filtered by registration and by an exclusive since', async () => {
    const context = { ...state, activityId: `${state.activityId}/list` };
    const registration = '3f0a1b2c-0000-4000-8000-000000000002';
    await store.put({ ...context, documentId: 'old' }, Buffer.from('1'), 'text/plain');
    clock += 10;
    await store.put({ ...context, documentId: 'new' }, Buffer.from('2'), 'text/plain');
    clock += 10;
    await store.put({ ...context, registration, documentId: 'registered' }, Buffer.from('3'), 'text/plain');

    const ids = (list: { documentId: string }[]) => list.map((d) => d.documentId);
    expect(await store.list({ ...context, registration: undefined })).toEqual([
      { documentId: 'old', registration: '', updated: '2026-11-29T05:00:00.000Z' },
      { documentId: 'new', registration: '', updated: '2026-11-29T05:00:00.010Z' },
      { documentId: 'registered', registration, updated: '2026-11-29T05:00:00.020Z' },
    ]);
    expect(ids(await store.list({ ...context, registration: '' }))).toEqual(['old', 'new']);
    expect(ids(await store.list({ ...context, registration }))).toEqual(['registered']);
    expect(ids(await store.list({ ...context, registration: undefined }))).toEqual([
      'old',
      'new',
      'registered',
    ]);
    // Exclusive: a document updated exactly at `since` is not listed.
    expect(ids(await store.list({ ...context, registration: '' }, '2026-11-29T05:00:00.010Z'))).toEqual([]);
    expect(ids(await store.list({ ...context, registration: '' }, '2026-11-29T05:00:00.009Z'))).toEqual([
      'new',
    ]);
    expect(
      ids(await store.list({ ...context, registration: undefined }, '2026-11-29T13:00:00.015+08:00')),
    ).toEqual(['registered']);
  });

  it('erases every document of an agent, and only those', async () => {
    const activityId = `${state.activityId}/erase`;
    const erased = 'mbox:mailto:erased@example.org';
    await store.put(
      { ...state, activityId, agentKey: erased, documentId: 's' },
      Buffer.from('x'),
      'text/plain',
    );
    await store.put(
      { resource: 'agent_profile', activityId: '', agentKey: erased, registration: '', documentId: 'p' },
      Buffer.from('y'),
      'text/plain',
    );
    await store.put({ ...state, activityId, documentId: 'kept' }, Buffer.from('z'), 'text/plain');
    expect(await store.eraseAgents([erased])).toBe(2);
    expect(await store.get({ ...state, activityId, agentKey: erased, documentId: 's' })).toBeUndefined();
    const [{ n }] = await warehouse.query<{ n: string }>(
      'SELECT count() AS n FROM xapi_documents WHERE agent_key = {k:String}',
      { k: erased },
    );
    expect(Number(n)).toBe(0);
    expect((await store.get({ ...state, activityId, documentId: 'kept' }))?.content.toString()).toBe('z');
  });
});
