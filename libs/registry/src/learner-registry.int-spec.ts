import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageProducer, OutgoingMessage } from '@app/bus';
import { decodeKey, decodeValue, topics, type LearnerChangedValue } from '@app/contracts';
import { LearnerCsvError, LearnerValidationError } from '@app/enrichment';
import { referenceIndex } from '@app/enrichment/test-fixtures';
import { ChdbWarehouse, runMigrations } from '@app/warehouse';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { LearnerRegistry } from './learner-registry';
import { basicRegistryAuth } from './registry-auth';
import { RegistryModule } from './registry.module';

const reference = referenceIndex();

/** Captures the change feed; `fail` makes the next sends reject like an unreachable broker. */
class FeedRecorder implements MessageProducer {
  readonly changes: { key: string; value: LearnerChangedValue }[] = [];
  fail = false;

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.fail) throw new Error('broker unavailable');
    expect(topic).toBe(topics.learnersChanged.name);
    for (const m of messages) {
      this.changes.push({
        key: decodeKey(topics.learnersChanged, m.key as Buffer),
        value: decodeValue(topics.learnersChanged, m.value as Buffer),
      });
    }
  }

  of(id: string) {
    return this.changes.filter((c) => c.key === id).map((c) => c.value);
  }
}

const body = (overrides: Record<string, unknown> = {}) => ({
  identities: ['mbox:mailto:wang@example.cn', 'account:https://portal.example|wang'],
  birthYear: 1956,
  gender: 'female',
  homeTownId: 'T02',
  homeLearningPointId: 'LP009',
  ...overrides,
});

describe('LearnerRegistry on the embedded ClickHouse engine', () => {
  let dir: string;
  let warehouse: ChdbWarehouse;
  let feed: FeedRecorder;
  let registry: LearnerRegistry;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'registry-'));
    warehouse = new ChdbWarehouse(dir);
    await runMigrations(warehouse);
  });
  afterAll(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    feed = new FeedRecorder();
    registry = new LearnerRegistry({ warehouse, producer: feed, reference });
  });

  const rowsOf = (id: string) =>
    warehouse.query<{ identities: string[]; deleted: boolean }>(
      'SELECT identities, deleted FROM dim_learners WHERE id = {id:String} ORDER BY version',
      { id },
    );

  it('stores a valid learner, publishes it, and reads it back', async () => {
    const before = Date.now();
    const stored = await registry.put('L100001', body());
    expect(stored).toEqual({
      id: 'L100001',
      ...body(),
      updatedAt: expect.any(String),
      version: expect.any(Number),
    });
    expect(stored.version).toBeGreaterThan(before * 1000);
    expect(Date.parse(stored.updatedAt)).toBeGreaterThanOrEqual(before);
    expect(await registry.get('L100001')).toEqual(stored);
    expect(feed.of('L100001')).toEqual([stored]);
  });

  it('refuses an invalid learner with every issue and writes nothing', async () => {
    const attempt = registry.put('wang', body({ homeTownId: 'T99', birthYear: 1800, extra: 1 }));
    await expect(attempt).rejects.toThrow(LearnerValidationError);
    const issues = await attempt.catch((error: LearnerValidationError) => error.issues);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'id', rule: 'format' }),
        expect.objectContaining({ field: 'homeTownId', rule: 'reference' }),
        expect.objectContaining({ field: 'birthYear', rule: 'range' }),
        expect.objectContaining({ field: 'extra', rule: 'unknown-field' }),
      ]),
    );
    expect(await rowsOf('wang')).toEqual([]);
    expect(feed.changes).toEqual([]);
  });

  it('gives every write a higher version, even when the clock goes back or the registry restarts', async () => {
    const first = await registry.put('L100002', body());
    const second = await registry.put('L100002', body({ homeLearningPointId: 'LP010' }));
    expect(second.version).toBeGreaterThan(first.version);

    const restartedWithSlowClock = new LearnerRegistry({
      warehouse,
      producer: feed,
      reference,
      clock: () => new Date(Date.now() - 3_600_000),
    });
    const third = await restartedWithSlowClock.put('L100002', body({ gender: 'other' }));
    expect(third.version).toBeGreaterThan(second.version);
    expect(await registry.get('L100002')).toEqual(third);
    expect(feed.of('L100002').map((c) => c.version)).toEqual([first.version, second.version, third.version]);
  });

  it('serialises concurrent writes of one learner: the last call wins everywhere', async () => {
    const writes = await Promise.all(
      ['LP009', 'LP010', 'LP011', 'LP012'].map((point) =>
        registry.put('L100003', body({ homeLearningPointId: point })),
      ),
    );
    const versions = writes.map((w) => w.version);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect((await registry.get('L100003'))?.homeLearningPointId).toBe('LP012');
  });

  it('erases a learner: tombstone stored and published, personal data gone, repeat is a no-op', async () => {
    await registry.put('L100004', body({ identities: ['mbox:mailto:erase-me@example.cn'] }));
    const tombstone = await registry.delete('L100004');
    expect(tombstone).toEqual({
      id: 'L100004',
      deleted: true,
      version: expect.any(Number),
      deletedAt: expect.any(String),
    });
    expect(await registry.get('L100004')).toBeUndefined();
    expect(await rowsOf('L100004')).toEqual([{ identities: [], deleted: true }]);
    expect(feed.of('L100004').at(-1)).toEqual(tombstone);

    expect(await registry.delete('L100004')).toEqual(tombstone);
    expect(feed.of('L100004')).toHaveLength(2);
    expect(await registry.delete('L100999')).toBeUndefined();

    const directory = await registry.loadDirectory();
    expect(directory.isErased('L100004')).toBe(true);
    expect(directory.findByActorKey('mbox:mailto:erase-me@example.cn')).toBeUndefined();
  });

  it('imports a CSV: accepted rows stored and published in one write, rejected rows reported by line', async () => {
    const csv = [
      'learner_id,identities,birth_year,gender,home_town_id,home_learning_point_id,remarks',
      'L100010,mbox:mailto:zhang@example.cn,1960,male,T01,LP002,x',
      'L100011,mbox:mailto:li@example.cn,1975,female,T99,,x',
      'L100012,mbox:mailto:zhou@example.cn;openid:https://id.example/zhou,2001,other,T02,,x',
    ].join('\n');
    const report = await registry.importCsv(csv);
    expect(report).toEqual({
      accepted: 2,
      rejected: [
        {
          line: 3,
          learnerId: 'L100011',
          reasons: [expect.objectContaining({ field: 'home_town_id', rule: 'reference' })],
        },
      ],
      ignoredColumns: ['remarks'],
    });
    expect((await registry.get('L100010'))?.birthYear).toBe(1960);
    expect((await registry.get('L100012'))?.identities).toEqual([
      'mbox:mailto:zhou@example.cn',
      'openid:https://id.example/zhou',
    ]);
    expect(await registry.get('L100011')).toBeUndefined();
    expect(feed.changes.map((c) => c.key)).toEqual(['L100010', 'L100012']);

    await expect(registry.importCsv('learner_id,gender\nL1,female\n')).rejects.toThrow(LearnerCsvError);
  });

  it('builds a directory from the store, for an enricher starting up', async () => {
    await registry.put('L100020', body({ identities: ['mbox:mailto:dir@example.cn'], birthYear: 1990 }));
    const directory = await registry.loadDirectory();
    expect(directory.findByActorKey('mbox:mailto:dir@example.cn')).toEqual(await registry.get('L100020'));
  });

  it('fails the write when the change cannot be published', async () => {
    feed.fail = true;
    await expect(registry.put('L100030', body())).rejects.toThrow('broker unavailable');
    // The row is durable; the client's retry writes and publishes a newer version.
    feed.fail = false;
    const retried = await registry.put('L100030', body());
    expect(feed.of('L100030')).toEqual([retried]);
  });
});

describe('registry HTTP API', () => {
  let dir: string;
  let warehouse: ChdbWarehouse;
  let app: NestFastifyApplication;
  let feed: FeedRecorder;

  const credentials: Record<string, { secret: string; scopes: string[] }> = {
    clerk: { secret: 'clerk-secret', scopes: ['registry/write', 'statements/read'] },
    analyst: { secret: 'analyst-secret', scopes: ['statements/read'] },
  };
  const basic = (key: string) =>
    `Basic ${Buffer.from(`${key}:${credentials[key].secret}`).toString('base64')}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'registry-http-'));
    warehouse = new ChdbWarehouse(dir);
    await runMigrations(warehouse);
    feed = new FeedRecorder();
    const registry = new LearnerRegistry({ warehouse, producer: feed, reference });
    const auth = basicRegistryAuth({
      verify: async (key, secret) => (credentials[key]?.secret === secret ? credentials[key] : undefined),
      hasScope: (credential, scope) => credential.scopes.includes(scope),
    });
    const moduleRef = await Test.createTestingModule({
      imports: [RegistryModule.forRoot({ registry, auth })],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const request = (
    method: 'GET' | 'PUT' | 'DELETE' | 'POST',
    url: string,
    options: { user?: string; json?: unknown; csv?: string } = {},
  ) =>
    app.inject({
      method,
      url,
      headers: {
        ...(options.user ? { authorization: basic(options.user) } : {}),
        ...(options.csv !== undefined ? { 'content-type': 'text/csv' } : {}),
      },
      ...(options.json !== undefined ? { payload: options.json as Record<string, unknown> } : {}),
      ...(options.csv !== undefined ? { payload: options.csv } : {}),
    });

  it('PUT stores the learner (200 with the record); GET returns it', async () => {
    const put = await request('PUT', '/registry/learners/L200001', { user: 'clerk', json: body() });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({
      id: 'L200001',
      ...body(),
      updatedAt: expect.any(String),
      version: expect.any(Number),
    });
    const get = await request('GET', '/registry/learners/L200001', { user: 'analyst' });
    expect(get.statusCode).toBe(200);
    expect(get.json()).toEqual(put.json());
  });

  it('PUT with a bad body answers 400 with field, rule and message per issue', async () => {
    const put = await request('PUT', '/registry/learners/L200002', {
      user: 'clerk',
      json: body({ homeLearningPointId: 'LP001', version: 3 }),
    });
    expect(put.statusCode).toBe(400);
    expect(put.json().issues).toEqual(
      expect.arrayContaining([
        { field: 'homeLearningPointId', rule: 'same-town', message: expect.stringContaining('LP001') },
        { field: 'version', rule: 'unknown-field', message: expect.any(String) },
      ]),
    );
  });

  it('asks for credentials (401 + challenge) and refuses writes without registry/write (403)', async () => {
    const anonymous = await request('GET', '/registry/learners/L200001');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="registry"');
    const readOnly = await request('PUT', '/registry/learners/L200003', { user: 'analyst', json: body() });
    expect(readOnly.statusCode).toBe(403);
    expect((await request('GET', '/registry/learners/L200003', { user: 'clerk' })).statusCode).toBe(404);
  });

  it('DELETE erases (200 with the tombstone), then GET and DELETE answer 404 for never-known ids', async () => {
    await request('PUT', '/registry/learners/L200004', { user: 'clerk', json: body() });
    const deleted = await request('DELETE', '/registry/learners/L200004', { user: 'clerk' });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toMatchObject({ id: 'L200004', deleted: true });
    expect((await request('GET', '/registry/learners/L200004', { user: 'clerk' })).statusCode).toBe(404);
    expect((await request('DELETE', '/registry/learners/L200404', { user: 'clerk' })).statusCode).toBe(404);
  });

  it('POST /import takes text/csv and reports accepted and rejected rows', async () => {
    const csv =
      'learner_id,identities,birth_year,gender,home_town_id,home_learning_point_id\n' +
      'L200010,mbox:mailto:csv1@example.cn,1950,female,T01,\n' +
      'L200011,not-an-actor-key,1950,female,T01,\n';
    const imported = await request('POST', '/registry/learners/import', { user: 'clerk', csv });
    expect(imported.statusCode).toBe(200);
    expect(imported.json()).toEqual({
      accepted: 1,
      rejected: [
        {
          line: 3,
          learnerId: 'L200011',
          reasons: [expect.objectContaining({ field: 'identities', rule: 'actor-key' })],
        },
      ],
      ignoredColumns: [],
    });
    expect((await request('GET', '/registry/learners/L200010', { user: 'analyst' })).statusCode).toBe(200);

    const unreadable = await request('POST', '/registry/learners/import', {
      user: 'clerk',
      csv: 'a,b\n"x\n',
    });
    expect(unreadable.statusCode).toBe(400);
    expect(unreadable.json()).toMatchObject({ error: 'unreadable learner CSV', line: expect.any(Number) });
  });
});
