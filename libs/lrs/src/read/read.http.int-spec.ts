import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChdbWarehouse, runMigrations } from '@app/warehouse';
import { WarehouseStatementLookup } from '../statement-lookup';
import { InMemoryAttachmentStore } from '../attachments';
import { WarehouseProducer as RowWritingProducer } from '../testing/warehouse-producer';
import { basic, startLrsTestApp, type LrsTestApp } from '../testing/lrs-test-app';
import { AcknowledgedIsStored, PendingStatements, type ReadConsistency } from './read-consistency';
import { StatementReader } from './statement-reader';

// The read side over HTTP through the Nest app, on the real engine (chdb): POSTed statements go through the
// sink's row mapping into `statements` and are read back with GET.
const dataDir = mkdtempSync(join(tmpdir(), 'lrs-read-http-'));
let warehouse: ChdbWarehouse;

beforeAll(async () => {
  warehouse = new ChdbWarehouse(dataDir);
  await runMigrations(warehouse);
});

afterAll(async () => {
  await warehouse?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The test file's warehouse, as the producer the read tests write through. */
class WarehouseProducer extends RowWritingProducer {
  constructor(delayMs = 0) {
    super(warehouse, delayMs);
  }
}

const V = { 'x-experience-api-version': '1.0.3' };
const TEACHER = { ...V, authorization: basic('teacher', 'teacher-secret') };
const READER = { ...V, authorization: basic('reader', 'reader-secret') };
const PORTAL = { ...V, authorization: basic('portal', 'portal-secret') };
const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';

function statement(email: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    actor: { objectType: 'Agent', mbox: `mailto:${email}` },
    verb: {
      id: 'http://adlnet.gov/expapi/verbs/completed',
      display: { 'en-US': 'completed', 'zh-CN': '完成' },
    },
    object: {
      objectType: 'Activity',
      id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/1',
      definition: { name: { 'en-US': 'Module 1', 'zh-CN': '第一单元' } },
    },
    ...overrides,
  };
}

async function startApp(
  consistency: ReadConsistency,
  producer: WarehouseProducer,
  attachments?: InMemoryAttachmentStore,
): Promise<LrsTestApp> {
  return startLrsTestApp({
    producer,
    attachments,
    lookup: new WarehouseStatementLookup(warehouse),
    reader: new StatementReader({ warehouse, consistency, maxPageSize: 50 }),
    rateLimit: { statementsPerSecond: 100_000 },
  });
}

describe('GET /xapi/statements (embedded: acknowledged = stored)', () => {
  let t: LrsTestApp;
  const attachments = new InMemoryAttachmentStore();
  beforeAll(async () => {
    t = await startApp(new AcknowledgedIsStored(), new WarehouseProducer(), attachments);
  });
  afterAll(() => t.close());

  const post = async (body: unknown): Promise<string[]> => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/xapi/statements',
      headers: TEACHER,
      payload: body as object,
    });
    expect(response.statusCode).toBe(200);
    return response.json() as string[];
  };
  const get = (query: string, headers: Record<string, string> = READER) =>
    t.app.inject({ method: 'GET', url: `/xapi/statements${query}`, headers });

  it('returns a statement by id right after the POST, with Last-Modified and Consistent-Through', async () => {
    const [id] = await post(statement(`one-${randomUUID()}@example.org`));
    const response = await get(`?statementId=${id}`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      id,
      stored: expect.any(String),
      authority: expect.any(Object),
      version: '1.0.0',
    });
    expect(response.headers['last-modified']).toBe(new Date(body.stored).toUTCString());
    expect(response.headers['x-experience-api-version']).toBe('1.0.3');
    expect(
      Date.parse(String(response.headers['x-experience-api-consistent-through'])),
    ).toBeGreaterThanOrEqual(Date.parse(body.stored));
    const head = await t.app.inject({
      method: 'HEAD',
      url: `/xapi/statements?statementId=${id}`,
      headers: READER,
    });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['last-modified']).toBe(response.headers['last-modified']);
  });

  it('pages a query through more links; statements POSTed meanwhile do not enter the result', async () => {
    const email = `paging-${randomUUID()}@example.org`;
    const ids = await post([1, 2, 3, 4, 5].map(() => statement(email)));
    const agent = encodeURIComponent(JSON.stringify({ mbox: `mailto:${email}` }));
    const seen: string[] = [];
    let url = `/xapi/statements?agent=${agent}&limit=2`;
    for (let page = 0; page < 10; page += 1) {
      const response = await t.app.inject({ method: 'GET', url, headers: READER });
      expect(response.statusCode).toBe(200);
      const result = response.json() as { statements: { id: string }[]; more: string };
      seen.push(...result.statements.map((s) => s.id));
      await post(statement(email));
      if (result.more === '') break;
      expect(result.more).toMatch(/^\/xapi\/statements\?more=[A-Za-z0-9_-]+$/);
      url = result.more;
    }
    // One POST stores its statements at one instant: the id orders them, every one exactly once.
    expect(seen).toHaveLength(ids.length);
    expect(new Set(seen)).toEqual(new Set(ids));
  });

  it('voids: the target leaves queries and statementId, stays under voidedStatementId; a voiding statement cannot be voided', async () => {
    const email = `void-${randomUUID()}@example.org`;
    const [target] = await post(statement(email));
    const [voiding] = await post(
      statement(`admin-${randomUUID()}@example.org`, {
        verb: { id: VOIDED },
        object: { objectType: 'StatementRef', id: target },
      }),
    );
    const byId = await get(`?statementId=${target}`);
    expect(byId.statusCode).toBe(404);
    expect(byId.headers['x-experience-api-consistent-through']).toEqual(expect.any(String));
    expect((await get(`?voidedStatementId=${target}`)).json()).toMatchObject({ id: target });
    expect((await get(`?voidedStatementId=${voiding}`)).statusCode).toBe(404);
    const agent = encodeURIComponent(JSON.stringify({ mbox: `mailto:${email}` }));
    // The voiding statement targets a statement of this agent, so it matches the agent filter.
    expect((await get(`?agent=${agent}`)).json().statements.map((s: { id: string }) => s.id)).toEqual([
      voiding,
    ]);
    const again = await t.app.inject({
      method: 'POST',
      url: '/xapi/statements',
      headers: TEACHER,
      payload: statement(email, {
        verb: { id: VOIDED },
        object: { objectType: 'StatementRef', id: voiding },
      }),
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().message).toMatch(/cannot be voided/);
  });

  it('canonical format keeps the language Accept-Language asks for; ids keeps identifiers only', async () => {
    const [id] = await post(statement(`lang-${randomUUID()}@example.org`));
    const canonical = await get(`?statementId=${id}&format=canonical`, {
      ...READER,
      'accept-language': 'zh-CN, en;q=0.5',
    });
    expect(canonical.json().verb.display).toEqual({ 'zh-CN': '完成' });
    expect(canonical.json().object.definition.name).toEqual({ 'zh-CN': '第一单元' });
    const ids = await get(`?statementId=${id}&format=ids`);
    expect(ids.json().object).toEqual({
      id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/1',
    });
  });

  it.each([
    ['statementId with another filter', `?statementId=${randomUUID()}&verb=http%3A%2F%2Fexample.org%2Fv`],
    ['statementId and voidedStatementId', `?statementId=${randomUUID()}&voidedStatementId=${randomUUID()}`],
    ['an unknown parameter', '?foo=bar'],
    ['a malformed more link', '?more=abc'],
  ])('answers 400 with Consistent-Through for %s', async (_what, query) => {
    const response = await get(query);
    expect(response.statusCode).toBe(400);
    expect(response.headers['x-experience-api-consistent-through']).toEqual(expect.any(String));
  });

  it('attachments=true answers multipart/mixed: the JSON document, then the data it refers to', async () => {
    const content = Buffer.from(`certificate ${randomUUID()}`);
    const sha2 = createHash('sha256').update(content).digest('hex');
    await attachments.storeAttachments([{ sha2, contentType: 'text/plain', content }]);
    const [id] = await post(
      statement(`attach-${randomUUID()}@example.org`, {
        attachments: [
          {
            usageType: 'http://example.org/certificate',
            display: { 'en-US': 'certificate' },
            contentType: 'text/plain',
            length: content.length,
            sha2,
            fileUrl: 'https://files.example/certificate.txt',
          },
        ],
      }),
    );
    const response = await get(`?statementId=${id}&attachments=true`);
    expect(response.statusCode).toBe(200);
    expect(String(response.headers['content-type'])).toMatch(/^multipart\/mixed; ?boundary=/);
    expect(response.headers['x-experience-api-consistent-through']).toEqual(expect.any(String));
    expect(response.body).toContain(`"id":"${id}"`);
    expect(response.body).toContain(content.toString());
    const plain = await get(`?statementId=${id}&attachments=false`);
    expect(String(plain.headers['content-type'])).toMatch(/^application\/json/);
  });

  it('needs a read scope: a write-only credential gets 403, none gets 401', async () => {
    expect((await get('', PORTAL)).statusCode).toBe(403);
    expect((await get('', V)).statusCode).toBe(401);
    expect((await get('', TEACHER)).statusCode).toBe(200);
  });

  it('serves /xapi/about without credentials, CORS preflights, and the alternate request syntax', async () => {
    const about = await t.app.inject({ method: 'GET', url: '/xapi/about' });
    expect(about.json()).toEqual({ version: ['1.0.3', '2.0.0'], extensions: {} });
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/xapi/statements',
      headers: { origin: 'https://partner.example', 'access-control-request-method': 'PUT' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/X-Experience-API-Version/);

    const id = randomUUID();
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const put = await t.app.inject({
      method: 'POST',
      url: '/xapi/statements?method=PUT',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({
        Authorization: TEACHER.authorization,
        'X-Experience-API-Version': '1.0.3',
        'Content-Type': 'application/json',
        statementId: id,
        content: JSON.stringify(statement(`alt-${randomUUID()}@example.org`)),
      }),
    });
    expect(put.statusCode).toBe(204);
    const got = await t.app.inject({
      method: 'POST',
      url: '/xapi/statements?method=GET',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({
        Authorization: READER.authorization,
        'X-Experience-API-Version': '1.0.3',
        statementId: id,
      }),
    });
    expect(got.statusCode).toBe(200);
    expect(got.json().id).toBe(id);
    const extra = await t.app.inject({
      method: 'POST',
      url: `/xapi/statements?method=GET&statementId=${id}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ Authorization: READER.authorization, 'X-Experience-API-Version': '1.0.3' }),
    });
    expect(extra.statusCode).toBe(400);
  });
});

describe('GET /xapi/statements (Kafka-like: acknowledged before stored)', () => {
  let t: LrsTestApp;
  let pending: PendingStatements;
  beforeAll(async () => {
    pending = new PendingStatements(warehouse, { pollMs: 20 });
    t = await startApp(pending, new WarehouseProducer(400));
  });
  afterAll(() => t.close());

  it('a client reads its own write right after the ack; Consistent-Through stays before it until then', async () => {
    const before = Date.now();
    const posted = await t.app.inject({
      method: 'POST',
      url: '/xapi/statements',
      headers: TEACHER,
      payload: statement(`kafka-${randomUUID()}@example.org`),
    });
    const [id] = posted.json() as string[];
    expect(pending.size).toBe(1);
    const during = pending.current();
    const response = await t.app.inject({
      method: 'GET',
      url: `/xapi/statements?statementId=${id}`,
      headers: READER,
    });
    expect(response.statusCode).toBe(200);
    expect(Date.now() - before).toBeGreaterThanOrEqual(400);
    expect(pending.size).toBe(0);
    expect(Date.parse(during)).toBeLessThan(Date.parse(response.json().stored));
    expect(
      Date.parse(String(response.headers['x-experience-api-consistent-through'])),
    ).toBeGreaterThanOrEqual(Date.parse(response.json().stored));
  });
});
