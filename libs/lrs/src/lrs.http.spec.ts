import { randomUUID } from 'node:crypto';
import { topics } from '@app/contracts';
import { basic, startLrsTestApp, type LrsTestApp } from './testing/lrs-test-app';

const V = { 'x-experience-api-version': '1.0.3' };
const PORTAL = { authorization: basic('portal', 'portal-secret') };
const MODULE_1 = 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/1';

function statement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    actor: { objectType: 'Agent', mbox: 'mailto:li.wei@Example.CN' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
    object: { objectType: 'Activity', id: MODULE_1 },
    ...overrides,
  };
}

interface ReceivedValue {
  statement: Record<string, unknown> & { id: string; authority: unknown; stored: string; version: string };
  receivedAt: string;
  source: { type: string; credentialKey: string; boundLearningPointId?: string };
  requestId: string;
}

describe('xAPI Statement API (write side) over HTTP', () => {
  let t: LrsTestApp;
  beforeEach(async () => {
    t = await startLrsTestApp({ rateLimit: { statementsPerSecond: 1000 } });
  });
  afterEach(async () => {
    await t.close();
  });

  const post = (body: unknown, headers: Record<string, string> = { ...V, ...PORTAL }) =>
    t.app.inject({ method: 'POST', url: '/xapi/statements', headers, payload: body as object });
  const put = (
    id: string | undefined,
    body: unknown,
    headers: Record<string, string> = { ...V, ...PORTAL },
  ) =>
    t.app.inject({
      method: 'PUT',
      url: id === undefined ? '/xapi/statements' : `/xapi/statements?statementId=${id}`,
      headers,
      payload: body as object,
    });
  const received = (): ReceivedValue[] => t.producer.values() as ReceivedValue[];

  describe('version header', () => {
    it('rejects a request without X-Experience-API-Version with 400 and still states the version', async () => {
      const response = await post(statement(), { ...PORTAL });
      expect(response.statusCode).toBe(400);
      expect(response.headers['x-experience-api-version']).toBe('1.0.3');
      expect(response.json().message).toMatch(/X-Experience-API-Version/);
      expect(t.producer.sent).toHaveLength(0);
    });

    it('rejects an unsupported version with 400', async () => {
      const response = await post(statement(), { ...PORTAL, 'x-experience-api-version': '0.95' });
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toMatch(/unsupported/);
    });

    it('answers 2.0.x requests with 2.0.0 and stores version 2.0.0', async () => {
      const response = await post(statement(), { ...PORTAL, 'x-experience-api-version': '2.0' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-experience-api-version']).toBe('2.0.0');
      expect(received()[0].statement.version).toBe('2.0.0');
    });
  });

  describe('POST', () => {
    it('stores a single statement: 200 with an array of one id, message keyed by actor', async () => {
      const response = await post(statement());
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-experience-api-version']).toBe('1.0.3');
      const ids = response.json() as string[];
      expect(ids).toHaveLength(1);
      expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(t.producer.sent.map((s) => s.topic)).toEqual([topics.statementsReceived.name]);
      expect(t.producer.keys()).toEqual(['mbox:mailto:li.wei@example.cn']);
      const [value] = received();
      expect(value.statement.id).toBe(ids[0]);
      expect(value.statement.authority).toEqual({
        objectType: 'Agent',
        account: { homePage: 'https://learn.jlp.cq.cn/xapi/credentials', name: 'portal' },
      });
      expect(value.statement.version).toBe('1.0.0');
      expect(value.statement.timestamp).toBe(value.statement.stored);
      expect(value.source).toEqual({ type: 'portal', credentialKey: 'portal' });
      expect(value.requestId).toEqual(expect.any(String));
    });

    it('stores an array in order and keeps client ids; client authority is overwritten', async () => {
      const a = randomUUID();
      const b = randomUUID();
      const response = await post([
        statement({ id: a, authority: { objectType: 'Agent', mbox: 'mailto:fake@example.cn' } }),
        statement({ id: b, actor: { objectType: 'Agent', mbox: 'mailto:zhang@example.cn' } }),
      ]);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual([a, b]);
      expect(received().map((v) => v.statement.id)).toEqual([a, b]);
      expect(received()[0].statement.authority).toMatchObject({ account: { name: 'portal' } });
      expect(t.producer.keys()).toEqual(['mbox:mailto:li.wei@example.cn', 'mbox:mailto:zhang@example.cn']);
    });

    it('rejects a whole batch with one bad statement: 400 with index, path, rule and nothing sent', async () => {
      const response = await post([
        statement(),
        statement({ actor: { objectType: 'Agent', mbox: 'li.wei@example.cn' } }),
        statement(),
      ]);
      expect(response.statusCode).toBe(400);
      const body = response.json() as {
        error: string;
        errors: { index: number; path: string; rule: string }[];
      };
      expect(body.error).toBe('invalid');
      expect(body.errors).toEqual([
        expect.objectContaining({ index: 1, path: '[1].actor.mbox', rule: 'format.mailto' }),
      ]);
      expect(t.producer.sent).toHaveLength(0);
    });

    it('rejects a batch repeating an id with 400', async () => {
      const id = randomUUID();
      const response = await post([statement({ id }), statement({ id })]);
      expect(response.statusCode).toBe(400);
      expect(response.json().errors[0].rule).toBe('batch.duplicate-id');
      expect(t.producer.sent).toHaveLength(0);
    });

    it('rejects unknown parameters with 400', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/xapi/statements?method=GET',
        headers: { ...V, ...PORTAL },
        payload: statement(),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toMatch(/method/);
    });

    it('rejects attachments without fileUrl (multipart is not accepted)', async () => {
      const response = await post(
        statement({
          attachments: [
            {
              usageType: 'http://adlnet.gov/expapi/attachments/signature',
              display: { 'en-US': 'signature' },
              contentType: 'image/png',
              length: 10,
              sha2: 'a'.repeat(64),
            },
          ],
        }),
      );
      expect(response.statusCode).toBe(400);
      expect(t.producer.sent).toHaveLength(0);
    });
  });

  describe('PUT', () => {
    it('stores the statement under statementId and answers 204', async () => {
      const id = randomUUID();
      const response = await put(id, statement());
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      expect(response.headers['x-experience-api-version']).toBe('1.0.3');
      expect(received()[0].statement.id).toBe(id);
    });

    it('requires statementId', async () => {
      const response = await put(undefined, statement());
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toMatch(/statementId/);
    });

    it('rejects a body id different from statementId', async () => {
      const response = await put(randomUUID(), statement({ id: randomUUID() }));
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toMatch(/differs/);
      expect(t.producer.sent).toHaveLength(0);
    });

    it('rejects an array body', async () => {
      const response = await put(randomUUID(), [statement()]);
      expect(response.statusCode).toBe(400);
    });
  });

  describe('conflicts', () => {
    it('re-sending an equivalent statement (just accepted by this process) sends no second message', async () => {
      const id = randomUUID();
      expect((await post(statement({ id }))).statusCode).toBe(200);
      const again = await post(statement({ id, timestamp: '2026-01-01T00:00:00Z' }));
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual([id]);
      expect((await put(id, statement())).statusCode).toBe(204);
      expect(t.producer.sent).toHaveLength(1);
    });

    it('a statement already in the warehouse with equivalent content is acknowledged without a message', async () => {
      const id = randomUUID();
      t.lookup.add({
        ...statement({ id }),
        id,
        stored: '2026-11-01T00:00:00.000Z',
        timestamp: '2026-11-01T00:00:00.000Z',
        version: '1.0.0',
        authority: { objectType: 'Agent', account: { homePage: 'https://other.example', name: 'x' } },
      });
      const response = await put(id, statement());
      expect(response.statusCode).toBe(204);
      expect(t.producer.sent).toHaveLength(0);
      expect(t.lookup.calls).toBe(1);
    });

    it('different content under a stored id → 409 with the first differing path, and nothing of the batch sent', async () => {
      const id = randomUUID();
      t.lookup.add({ ...statement({ id }), id, version: '1.0.0' });
      const response = await post([
        statement(),
        statement({ id, verb: { id: 'http://adlnet.gov/expapi/verbs/passed' } }),
      ]);
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ error: 'conflict', statementId: id, path: 'verb.id' });
      expect(t.producer.sent).toHaveLength(0);
    });

    it('different content under an id this process accepted → 409', async () => {
      const id = randomUUID();
      expect((await put(id, statement())).statusCode).toBe(204);
      const response = await put(id, statement({ result: { success: true } }));
      expect(response.statusCode).toBe(409);
      expect(response.json().path).toMatch(/^result/);
      expect(t.producer.sent).toHaveLength(1);
    });
  });

  describe('credentials', () => {
    it('401 with WWW-Authenticate without credentials', async () => {
      const response = await post(statement(), { ...V });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Basic realm="xAPI"');
      expect(response.headers['x-experience-api-version']).toBe('1.0.3');
    });

    it('401 with a wrong secret, and the right one still works right after', async () => {
      const wrong = await post(statement(), { ...V, authorization: basic('portal', 'nope') });
      expect(wrong.statusCode).toBe(401);
      const unknown = await post(statement(), { ...V, authorization: basic('nobody', 'portal-secret') });
      expect(unknown.statusCode).toBe(401);
      expect((await post(statement())).statusCode).toBe(200);
    });

    it('403 without the statements/write scope', async () => {
      const response = await post(statement(), { ...V, authorization: basic('reader', 'reader-secret') });
      expect(response.statusCode).toBe(403);
      expect(t.producer.sent).toHaveLength(0);
    });

    it('carries the bound learning point of a kiosk credential in the message source', async () => {
      const response = await post(statement(), { ...V, authorization: basic('kiosk-lp001', 'kiosk-secret') });
      expect(response.statusCode).toBe(200);
      expect(received()[0].source).toEqual({
        type: 'kiosk',
        credentialKey: 'kiosk-lp001',
        boundLearningPointId: 'LP001',
      });
    });
  });

  describe('durability', () => {
    it('answers 503 when the producer fails, acknowledges nothing, and the retry then succeeds', async () => {
      const id = randomUUID();
      t.producer.failWith = new Error('broker down');
      const failed = await post([statement({ id }), statement()]);
      expect(failed.statusCode).toBe(503);
      expect(failed.json().message).toMatch(/retry/);
      expect(t.producer.sent).toHaveLength(0);
      t.producer.failWith = undefined;
      const retried = await post([statement({ id }), statement()]);
      expect(retried.statusCode).toBe(200);
      expect(t.producer.sent).toHaveLength(2);
    });

    it('counts accepted and rejected statements by source and reason', async () => {
      await post([statement(), statement()]);
      await post([statement({ verb: {} })]);
      const text = (await t.metrics.render()).body;
      expect(text).toMatch(/xapi_statements_accepted_total\{source="portal"\} 2/);
      expect(text).toMatch(/xapi_statements_rejected_total\{source="portal",reason="invalid"\} 1/);
    });
  });
});

describe('abuse limits', () => {
  it('413 for a body over the limit, with the version header', async () => {
    const t = await startLrsTestApp({ bodyLimitBytes: 2000 });
    try {
      const big = Array.from({ length: 30 }, () => statement());
      const response = await t.app.inject({
        method: 'POST',
        url: '/xapi/statements',
        headers: { ...V, ...PORTAL },
        payload: big,
      });
      expect(response.statusCode).toBe(413);
      expect(response.headers['x-experience-api-version']).toBe('1.0.3');
      expect(t.producer.sent).toHaveLength(0);
    } finally {
      await t.close();
    }
  });

  it('429 with Retry-After once a credential exceeds its statements per second', async () => {
    let now = 1_000_000;
    const t = await startLrsTestApp({ rateLimit: { statementsPerSecond: 2, burst: 3 }, nowMs: () => now });
    try {
      const send = (n: number) =>
        t.app.inject({
          method: 'POST',
          url: '/xapi/statements',
          headers: { ...V, ...PORTAL },
          payload: Array.from({ length: n }, () => statement()),
        });
      expect((await send(3)).statusCode).toBe(200);
      const limited = await send(2);
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('1');
      expect(t.producer.sent).toHaveLength(3);
      now += 1000;
      expect((await send(2)).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
