import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChdbWarehouse, DocumentStore, runMigrations } from '@app/warehouse';
import { AcknowledgedIsStored } from '../read/read-consistency';
import { StatementReader } from '../read/statement-reader';
import { WarehouseStatementLookup } from '../statement-lookup';
import { basic, startLrsTestApp, type LrsTestApp } from '../testing/lrs-test-app';
import { WarehouseProducer } from '../testing/warehouse-producer';

// The document resources, /xapi/agents and /xapi/activities over HTTP through the Nest app, stored on the
// real engine (chdb).
const dataDir = mkdtempSync(join(tmpdir(), 'lrs-documents-http-'));
let warehouse: ChdbWarehouse;
let t: LrsTestApp;

beforeAll(async () => {
  warehouse = new ChdbWarehouse(dataDir);
  await runMigrations(warehouse);
  t = await startLrsTestApp({
    producer: new WarehouseProducer(warehouse),
    lookup: new WarehouseStatementLookup(warehouse),
    reader: new StatementReader({ warehouse, consistency: new AcknowledgedIsStored() }),
    documents: new DocumentStore(warehouse),
  });
});

afterAll(async () => {
  await t?.close();
  await warehouse?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const V = { 'x-experience-api-version': '1.0.3' };
const TEACHER = { ...V, authorization: basic('teacher', 'teacher-secret') };
const READER = { ...V, authorization: basic('reader', 'reader-secret') };
const PORTAL = { ...V, authorization: basic('portal', 'portal-secret') };
const JSON_TYPE = { 'content-type': 'application/json' };

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';

function request(
  method: Method,
  path: string,
  query: Record<string, string>,
  options: { body?: string | Buffer; headers?: Record<string, string> } = {},
) {
  return t.app.inject({
    method,
    url: `${path}?${new URLSearchParams(query).toString()}`,
    headers: { ...TEACHER, ...options.headers },
    payload: options.body,
  });
}

function agent(email: string): string {
  return JSON.stringify({ objectType: 'Agent', mbox: `mailto:${email}` });
}

function sha1(content: string | Buffer): string {
  return createHash('sha1').update(content).digest('hex');
}

describe('State Resource (/xapi/activities/state)', () => {
  const path = '/xapi/activities/state';
  const context = () => ({
    activityId: `https://learn.jlp.cq.cn/xapi/activities/course/${randomUUID()}`,
    agent: agent(`learner-${randomUUID()}@example.org`),
  });

  it('stores a JSON document with PUT and answers it with its content type, quoted SHA-1 ETag and Last-Modified', async () => {
    const query = { ...context(), stateId: 'bookmark' };
    const body = '{"page":12,"lesson":"拼音输入"}';
    const put = await request('PUT', path, query, { body, headers: JSON_TYPE });
    expect(put.statusCode).toBe(204);
    const get = await request('GET', path, query);
    expect(get.statusCode).toBe(200);
    expect(get.body).toBe(body);
    expect(get.headers['content-type']).toBe('application/json');
    expect(get.headers.etag).toBe(`"${sha1(Buffer.from(body))}"`);
    expect(Date.parse(String(get.headers['last-modified']))).not.toBeNaN();
    expect(get.headers['x-experience-api-version']).toBe('1.0.3');
    const head = await request('HEAD', path, query);
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers.etag).toBe(get.headers.etag);
  });

  it('keeps binary octets byte for byte', async () => {
    const query = { ...context(), stateId: 'snapshot' };
    const octets = Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x80, 0x22, 0x5c]);
    const put = await request('PUT', path, query, {
      body: octets,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(put.statusCode).toBe(204);
    const get = await request('GET', path, query);
    expect(get.rawPayload.equals(octets)).toBe(true);
    expect(get.headers['content-type']).toBe('application/octet-stream');
    expect(get.headers.etag).toBe(`"${sha1(octets)}"`);
  });

  it('merges a POSTed JSON object into the stored one, top-level members only (Communication 2.2.s7)', async () => {
    const query = { ...context(), stateId: 'progress' };
    await request('POST', path, query, {
      body: '{"x":"foo","y":"bar","nested":{"a":1}}',
      headers: JSON_TYPE,
    });
    const post = await request('POST', path, query, {
      body: '{"x":"bash","z":"faz","nested":{"b":2}}',
      headers: JSON_TYPE,
    });
    expect(post.statusCode).toBe(204);
    expect((await request('GET', path, query)).json()).toEqual({
      x: 'bash',
      y: 'bar',
      z: 'faz',
      nested: { b: 2 },
    });
  });

  it('refuses a POST that cannot merge with 400 and leaves the document as it was', async () => {
    const json = { ...context(), stateId: 'json' };
    await request('PUT', path, json, { body: '{"kept":true}', headers: JSON_TYPE });
    const refusals = [
      { body: 'abcdefg', headers: { 'content-type': 'not/json' } },
      { body: 'abc', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { body: '{"broken":', headers: JSON_TYPE },
      { body: '[1,2]', headers: JSON_TYPE },
    ];
    for (const refusal of refusals) {
      const response = await request('POST', path, json, refusal);
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toEqual(expect.stringContaining('nothing was changed'));
    }
    expect((await request('GET', path, json)).json()).toEqual({ kept: true });

    const binary = { ...context(), stateId: 'binary' };
    await request('PUT', path, binary, {
      body: '/ asdf / undefined',
      headers: { 'content-type': 'text/plain' },
    });
    const onBinary = await request('POST', path, binary, { body: '{"a":1}', headers: JSON_TYPE });
    expect(onBinary.statusCode).toBe(400);
    expect((await request('GET', path, binary)).body).toBe('/ asdf / undefined');

    // A PUT may store any octets, but not broken JSON that says it is JSON.
    const badPut = await request('PUT', path, json, { body: '{"a":', headers: JSON_TYPE });
    expect(badPut.statusCode).toBe(400);
    expect(badPut.json().message).toContain('not valid JSON');
    expect((await request('GET', path, json)).json()).toEqual({ kept: true });

    // Nothing stored yet: a JSON document must still be a JSON object.
    const fresh = { ...context(), stateId: 'fresh' };
    expect((await request('POST', path, fresh, { body: '{"a":1}[', headers: JSON_TYPE })).statusCode).toBe(
      400,
    );
    expect((await request('GET', path, fresh)).statusCode).toBe(404);
  });

  it('lists ids (every registration unless one is named, since exclusive) and deletes them all', async () => {
    const base = context();
    const registration = randomUUID();
    const before = new Date(Date.now() - 1000).toISOString();
    await request('PUT', path, { ...base, stateId: 'a' }, { body: '1', headers: JSON_TYPE });
    await request('PUT', path, { ...base, stateId: 'b', registration }, { body: '2', headers: JSON_TYPE });

    const ids = async (query: Record<string, string>) => {
      const response = await request('GET', path, query);
      expect(response.statusCode).toBe(200);
      return (response.json() as string[]).sort();
    };
    expect(await ids(base)).toEqual(['a', 'b']);
    expect(await ids({ ...base, registration })).toEqual(['b']);
    expect(await ids({ ...base, since: before })).toEqual(['a', 'b']);
    expect(await ids({ ...base, since: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
    // A document stored with a registration is not the one without.
    expect((await request('GET', path, { ...base, stateId: 'b' })).statusCode).toBe(404);

    expect((await request('DELETE', path, { ...base, registration })).statusCode).toBe(204);
    expect(await ids(base)).toEqual(['a']);
    expect((await request('DELETE', path, base)).statusCode).toBe(204);
    expect(await ids(base)).toEqual([]);
  });

  it('replaces a State document without concurrency headers in 1.0.3, but not in 2.0 (409)', async () => {
    const query = { ...context(), stateId: 'versions' };
    await request('PUT', path, query, { body: '{"v":1}', headers: JSON_TYPE });
    expect((await request('PUT', path, query, { body: '{"v":2}', headers: JSON_TYPE })).statusCode).toBe(204);
    const v2 = { ...JSON_TYPE, 'x-experience-api-version': '2.0.0' };
    const conflict = await request('PUT', path, query, { body: '{"v":3}', headers: v2 });
    expect(conflict.statusCode).toBe(409);
    expect((await request('GET', path, query)).json()).toEqual({ v: 2 });
    const etag = String((await request('GET', path, query)).headers.etag);
    expect(
      (await request('PUT', path, query, { body: '{"v":4}', headers: { ...v2, 'if-match': etag } }))
        .statusCode,
    ).toBe(204);
    // A new State document needs no header in 2.0 either.
    expect(
      (await request('PUT', path, { ...query, stateId: 'new-in-2.0' }, { body: '{}', headers: v2 }))
        .statusCode,
    ).toBe(204);
  });

  it('applies concurrent POSTs to one document one after another: no merge is lost', async () => {
    const query = { ...context(), stateId: 'concurrent' };
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request('POST', path, query, { body: JSON.stringify({ [`k${i}`]: i }), headers: JSON_TYPE }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(204));
    expect(Object.keys((await request('GET', path, query)).json())).toHaveLength(20);
  });

  it('answers 400 naming the parameter for missing or malformed ones, and changes nothing', async () => {
    const good = { ...context(), stateId: 's' };
    const cases: [Record<string, string>, string][] = [
      [{ agent: good.agent, stateId: 's' }, 'activityId is required'],
      [{ activityId: good.activityId, stateId: 's' }, 'agent is required'],
      [{ ...good, agent: 'true' }, 'agent must be an Agent object'],
      [{ ...good, agent: 'not JSON' }, 'agent must be an Agent object'],
      [{ ...good, agent: '{"objectType":"Group","member":[]}' }, 'agent is not a valid Agent'],
      [{ ...good, agent: '{"objectType":"Agent","name":"no identifier"}' }, 'agent is not a valid Agent'],
      [{ ...good, registration: 'true' }, 'registration is not a UUID'],
      [{ ...good, activityId: 'not an iri' }, 'activityId is not an IRI'],
      [{ ...good, stateid: 'x' }, 'unknown parameter(s) for this resource: stateid'],
      [{ ...good, since: '2026-11-29T00:00:00Z' }, 'since is only for a GET of the ids'],
    ];
    for (const [query, message] of cases) {
      const response = await request('PUT', path, query, { body: '{"a":1}', headers: JSON_TYPE });
      expect({ query, status: response.statusCode, message: response.json().message }).toEqual({
        query,
        status: 400,
        message: expect.stringContaining(message),
      });
    }
    const noId = await request('PUT', path, { activityId: good.activityId, agent: good.agent });
    expect(noId.json().message).toContain('needs the stateId parameter');
    const since = await request('GET', path, {
      activityId: good.activityId,
      agent: good.agent,
      since: 'nope',
    });
    expect(since.json().message).toContain('since is not an ISO 8601 timestamp');
    expect((await request('GET', path, good)).statusCode).toBe(404);
  });

  it('needs the state scope to write, state or all/read to read, and the version header', async () => {
    const query = { ...context(), stateId: 'scoped' };
    const write = await request('PUT', path, query, { body: '{}', headers: { ...JSON_TYPE, ...PORTAL } });
    expect(write.statusCode).toBe(403);
    expect(write.json().message).toContain('lacks the state scope');
    expect((await request('GET', path, query, { headers: READER })).statusCode).toBe(403);
    const noVersion = await t.app.inject({
      method: 'GET',
      url: `${path}?${new URLSearchParams(query).toString()}`,
      headers: { authorization: basic('teacher', 'teacher-secret') },
    });
    expect(noVersion.statusCode).toBe(400);
    expect(noVersion.headers['x-experience-api-version']).toBe('1.0.3');
  });
});

describe.each([
  [
    'Activity Profile',
    '/xapi/activities/profile',
    () => ({ activityId: `https://ex.org/a/${randomUUID()}` }),
  ],
  ['Agent Profile', '/xapi/agents/profile', () => ({ agent: agent(`p-${randomUUID()}@example.org`) })],
])('%s Resource: ETag concurrency (Communication 3.1)', (_name, path, context) => {
  it('creates with If-None-Match: *, refuses it once the profile exists (412), replaces with If-Match', async () => {
    const query = { ...context(), profileId: 'settings' };
    const create = await request('PUT', path, query, {
      body: '{"v":1}',
      headers: { ...JSON_TYPE, 'if-none-match': '*' },
    });
    expect(create.statusCode).toBe(204);
    const again = await request('PUT', path, query, {
      body: '{"v":2}',
      headers: { ...JSON_TYPE, 'if-none-match': '*' },
    });
    expect(again.statusCode).toBe(412);

    const etag = String((await request('GET', path, query)).headers.etag);
    expect(etag).toBe(`"${sha1('{"v":1}')}"`);
    const stale = await request('PUT', path, query, {
      body: '{"v":3}',
      headers: { ...JSON_TYPE, 'if-match': `"${'1'.repeat(40)}"` },
    });
    expect(stale.statusCode).toBe(412);
    expect((await request('GET', path, query)).json()).toEqual({ v: 1 });

    const replace = await request('PUT', path, query, {
      body: '{"v":4}',
      headers: { ...JSON_TYPE, 'if-match': etag },
    });
    expect(replace.statusCode).toBe(204);
    expect((await request('GET', path, query)).json()).toEqual({ v: 4 });
  });

  it('answers a PUT without either header 409 when the profile exists, 400 when it does not; changes nothing', async () => {
    const query = { ...context(), profileId: 'no-headers' };
    const absent = await request('PUT', path, query, { body: '{"v":1}', headers: JSON_TYPE });
    expect(absent.statusCode).toBe(400);
    expect(absent.json().message).toContain('needs If-Match');
    expect((await request('GET', path, query)).statusCode).toBe(404);

    await request('POST', path, query, { body: '{"v":1}', headers: JSON_TYPE });
    const conflict = await request('PUT', path, query, { body: '{"v":2}', headers: JSON_TYPE });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().message).toContain('If-Match');
    expect((await request('GET', path, query)).json()).toEqual({ v: 1 });
  });

  it('checks If-Match on POST and DELETE too, and deletes an unknown profile without complaint', async () => {
    const query = { ...context(), profileId: 'guarded' };
    await request('POST', path, query, { body: '{"v":1}', headers: JSON_TYPE });
    const wrong = { 'if-match': `"${'2'.repeat(40)}"` };
    expect(
      (await request('POST', path, query, { body: '{"w":1}', headers: { ...JSON_TYPE, ...wrong } }))
        .statusCode,
    ).toBe(412);
    expect((await request('DELETE', path, query, { headers: wrong })).statusCode).toBe(412);
    expect((await request('GET', path, query)).json()).toEqual({ v: 1 });
    expect((await request('DELETE', path, query)).statusCode).toBe(204);
    expect((await request('GET', path, query)).statusCode).toBe(404);
    expect((await request('DELETE', path, { ...context(), profileId: 'never-stored' })).statusCode).toBe(204);
  });

  it('lists profile ids, needs the profile scope', async () => {
    const base = context();
    await request('POST', path, { ...base, profileId: 'one' }, { body: '{}', headers: JSON_TYPE });
    const list = await request('GET', path, base);
    expect(list.json()).toEqual(['one']);
    expect((await request('GET', path, base, { headers: PORTAL })).statusCode).toBe(403);
  });
});

describe('Agents and Activities Resources', () => {
  it('answers the Person object of an Agent, each identifier as an array', async () => {
    const response = await request('GET', '/xapi/agents', {
      agent: JSON.stringify({ objectType: 'Agent', name: 'Wang Fang', mbox: 'mailto:wang.fang@example.org' }),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      objectType: 'Person',
      name: ['Wang Fang'],
      mbox: ['mailto:wang.fang@example.org'],
    });
    const account = await request('GET', '/xapi/agents', {
      agent: JSON.stringify({ account: { homePage: 'https://learn.jlp.cq.cn', name: 'L000001' } }),
    });
    expect(account.json()).toEqual({
      objectType: 'Person',
      account: [{ homePage: 'https://learn.jlp.cq.cn', name: 'L000001' }],
    });
    const anonymous = await request('GET', '/xapi/agents', { agent: '{"name":"no identifier"}' });
    expect(anonymous.statusCode).toBe(400);
  });

  it('answers an Activity with the definitions statements gave it, language maps merged', async () => {
    const id = `https://learn.jlp.cq.cn/xapi/activities/course/${randomUUID()}`;
    const statement = (definition: Record<string, unknown>) => ({
      actor: { mbox: 'mailto:learner@example.org' },
      verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' },
      object: { objectType: 'Activity', id, definition },
    });
    // Two requests: statements of one request share their `stored`, so their order is not defined.
    for (const definition of [
      {
        name: { 'zh-CN': '智能手机入门', 'en-US': 'Smartphone basics' },
        type: 'http://adlnet.gov/expapi/activities/course',
      },
      { name: { 'zh-CN': '智能手机基础' }, description: { 'zh-CN': '第一课' } },
    ]) {
      const post = await t.app.inject({
        method: 'POST',
        url: '/xapi/statements',
        headers: TEACHER,
        payload: statement(definition),
      });
      expect(post.statusCode).toBe(200);
    }
    const response = await request('GET', '/xapi/activities', { activityId: id }, { headers: READER });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      objectType: 'Activity',
      id,
      definition: {
        name: { 'zh-CN': '智能手机基础', 'en-US': 'Smartphone basics' },
        description: { 'zh-CN': '第一课' },
        type: 'http://adlnet.gov/expapi/activities/course',
      },
    });
    const unknown = await request('GET', '/xapi/activities', { activityId: `${id}/never-seen` });
    expect(unknown.json()).toEqual({ objectType: 'Activity', id: `${id}/never-seen` });
    expect((await request('GET', '/xapi/activities', {})).statusCode).toBe(400);
  });
});

describe('a gateway that does not serve the document resources (XAPI_DOCUMENTS=off)', () => {
  it('answers them 503 saying so, and still answers /xapi/agents and /xapi/activities', async () => {
    const bare = await startLrsTestApp({ producer: new WarehouseProducer(warehouse) });
    try {
      const query = new URLSearchParams({
        activityId: 'https://ex.org/a',
        agent: agent('x@example.org'),
        stateId: 's',
      });
      const state = await bare.app.inject({
        method: 'GET',
        url: `/xapi/activities/state?${query}`,
        headers: TEACHER,
      });
      expect(state.statusCode).toBe(503);
      expect(state.json().message).toContain('does not serve the document resources');
      const agents = await bare.app.inject({
        method: 'GET',
        url: `/xapi/agents?${new URLSearchParams({ agent: agent('x@example.org') })}`,
        headers: TEACHER,
      });
      expect(agents.statusCode).toBe(200);
      const activities = await bare.app.inject({
        method: 'GET',
        url: '/xapi/activities?activityId=https://ex.org/a',
        headers: TEACHER,
      });
      expect(activities.json()).toEqual({ objectType: 'Activity', id: 'https://ex.org/a' });
    } finally {
      await bare.close();
    }
  });
});
