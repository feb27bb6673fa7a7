import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { SIGNATURE_USAGE_TYPE } from '@app/xapi';
import { InMemoryAttachmentStore } from './attachments';
import { basic, startLrsTestApp, type LrsTestApp } from './testing/lrs-test-app';

const HEADERS = { 'x-experience-api-version': '1.0.3', authorization: basic('portal', 'portal-secret') };
const BOUNDARY = 'xapi-test-boundary';
const MULTIPART = `multipart/mixed; boundary=${BOUNDARY}`;
const ESSAY = Buffer.from('Ich bin ein Aufsatz.\r\n--not-the-boundary\r\n\u00e9\u4e2d');

type Json = Record<string, unknown>;

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function statement(overrides: Json = {}): Json {
  return {
    actor: { objectType: 'Agent', mbox: 'mailto:li.wei@example.cn' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object: { objectType: 'Activity', id: 'https://learn.jlp.cq.cn/xapi/activities/essay/1' },
    ...overrides,
  };
}

function attachmentFor(data: Buffer, overrides: Json = {}): Json {
  return {
    usageType: 'http://example.com/attachment-usage/essay',
    display: { 'en-US': 'essay' },
    contentType: 'text/plain; charset=utf-8',
    length: data.length,
    sha2: sha256(data),
    ...overrides,
  };
}

interface Part {
  readonly data: Buffer;
  readonly hash?: string;
  readonly contentType?: string;
}

/** A multipart/mixed body as the spec's example and the ADL suite write it. */
function multipart(json: unknown, parts: readonly Part[]): Buffer {
  const chunks: Buffer[] = [
    Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(json)}`),
  ];
  for (const part of parts) {
    chunks.push(
      Buffer.from(
        `\r\n--${BOUNDARY}\r\nContent-Type: ${part.contentType ?? 'text/plain'}\r\n` +
          `Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ${part.hash ?? sha256(part.data)}\r\n\r\n`,
      ),
      part.data,
    );
  }
  chunks.push(Buffer.from(`\r\n--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

function jws(alg: string, payload: unknown): string {
  const { privateKey } = KEYS;
  const input = `${Buffer.from(JSON.stringify({ alg })).toString('base64url')}.${Buffer.from(
    JSON.stringify(payload),
  ).toString('base64url')}`;
  const hash = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' }[alg] ?? 'sha256';
  return `${input}.${sign(hash, Buffer.from(input), privateKey).toString('base64url')}`;
}

const KEYS = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** A statement signed as the ADL suite does it: JWS of the statement, then the signature attachment added. */
function signed(toSign: Json, sent: Json = toSign, alg = 'RS256'): { body: Buffer } {
  const token = Buffer.from(jws(alg, toSign));
  const withSignature = {
    ...sent,
    attachments: [
      attachmentFor(token, { usageType: SIGNATURE_USAGE_TYPE, contentType: 'application/octet-stream' }),
    ],
  };
  return { body: multipart(withSignature, [{ data: token, contentType: 'application/octet-stream' }]) };
}

describe('Statement API with attachments (multipart/mixed) and signed statements', () => {
  let t: LrsTestApp;
  let store: InMemoryAttachmentStore;
  beforeEach(async () => {
    store = new InMemoryAttachmentStore();
    t = await startLrsTestApp({ attachments: store });
  });
  afterEach(async () => {
    await t.close();
  });

  const post = (payload: Buffer | Json, contentType = MULTIPART) =>
    t.app.inject({
      method: 'POST',
      url: '/xapi/statements',
      headers: { ...HEADERS, 'content-type': contentType },
      payload: Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
    });
  const sentStatements = () => (t.producer.values() as { statement: Json }[]).map((value) => value.statement);

  it('stores the attachment data, then the statement with its attachment metadata', async () => {
    const essay = attachmentFor(ESSAY);
    const response = await post(multipart(statement({ attachments: [essay] }), [{ data: ESSAY }]));
    expect(response.statusCode).toBe(200);
    expect(store.stored.get(sha256(ESSAY))).toEqual({
      sha2: sha256(ESSAY),
      contentType: 'text/plain; charset=utf-8',
      content: ESSAY,
    });
    expect(sentStatements()).toHaveLength(1);
    expect(sentStatements()[0].attachments).toEqual([essay]);
  });

  it('accepts a batch sharing one part between two statements, and PUT with an attachment', async () => {
    const essay = attachmentFor(ESSAY);
    const batch = [statement({ attachments: [essay] }), statement({ attachments: [essay] })];
    expect((await post(multipart(batch, [{ data: ESSAY }]))).statusCode).toBe(200);
    const id = randomUUID();
    const put = await t.app.inject({
      method: 'PUT',
      url: `/xapi/statements?statementId=${id}`,
      headers: { ...HEADERS, 'content-type': MULTIPART },
      payload: multipart(statement({ attachments: [essay] }), [{ data: ESSAY }]),
    });
    expect(put.statusCode).toBe(204);
    expect(sentStatements().map((s) => s.id)).toContain(id);
  });

  it('refuses a part whose content does not match its X-Experience-API-Hash: 400, nothing stored or sent', async () => {
    const essay = attachmentFor(ESSAY);
    const response = await post(
      multipart(statement({ attachments: [essay] }), [
        { data: Buffer.from('other text'), hash: sha256(ESSAY) },
      ]),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'bad-request', part: 1, sha2: sha256(ESSAY) });
    expect(response.json().message).toMatch(/content hashes to .* not to its X-Experience-API-Hash/);
    expect(store.stored.size).toBe(0);
    expect(t.producer.sent).toHaveLength(0);
  });

  it('refuses an attachment without fileUrl whose part is missing, naming the attachment', async () => {
    const other = Buffer.from('second file');
    const body = [statement(), statement({ attachments: [attachmentFor(ESSAY), attachmentFor(other)] })];
    const response = await post(multipart(body, [{ data: ESSAY }]));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ path: '[1].attachments[1]', sha2: sha256(other) });
    expect(t.producer.sent).toHaveLength(0);
  });

  it('refuses a part no attachment refers to', async () => {
    const response = await post(
      multipart(statement({ attachments: [attachmentFor(ESSAY)] }), [
        { data: ESSAY },
        { data: Buffer.from('extra') },
      ]),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ part: 2, sha2: sha256('extra') });
    expect(response.json().message).toMatch(/matches no attachment/);
  });

  it('refuses attachment data in an application/json request', async () => {
    const response = await post(statement({ attachments: [attachmentFor(ESSAY)] }), 'application/json');
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/attachments\[0\]: an attachment without fileUrl needs its data/);
  });

  it('accepts fileUrl attachments in JSON and multipart requests without parts', async () => {
    const linked = attachmentFor(ESSAY, { fileUrl: 'https://files.example.cn/essay.txt' });
    expect((await post(statement({ attachments: [linked] }), 'application/json')).statusCode).toBe(200);
    expect((await post(multipart(statement({ attachments: [linked] }), []))).statusCode).toBe(200);
    expect(store.stored.size).toBe(0);
  });

  it.each([
    [
      'another multipart type',
      'multipart/form-data; boundary=xapi-test-boundary',
      /not multipart\/form-data/,
    ],
    ['no boundary parameter', 'multipart/mixed;', /no boundary parameter/],
  ])('answers 400 for %s', async (_name, contentType, message) => {
    const response = await post(multipart(statement(), []), contentType);
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(message);
  });

  it('leaves multipart bodies of other routes to Fastify (415)', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/xapi/classroom/attendance',
      headers: { ...HEADERS, 'content-type': MULTIPART },
      payload: multipart(statement(), []),
    });
    expect(response.statusCode).toBe(415);
  });

  it('answers 400 for an attachment part with Content-Transfer-Encoding base64', async () => {
    const body = multipart(statement({ attachments: [attachmentFor(ESSAY)] }), [{ data: ESSAY }]);
    const response = await post(
      Buffer.from(body.toString('latin1').replace(': binary', ': base64'), 'latin1'),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/must be binary, not base64/);
  });

  it('answers 503 and sends nothing when the attachment data cannot be stored', async () => {
    store.failNext = new Error('disk full');
    const response = await post(
      multipart(statement({ attachments: [attachmentFor(ESSAY)] }), [{ data: ESSAY }]),
    );
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(t.producer.sent).toHaveLength(0);
  });

  describe('signed statements (Data 2.6)', () => {
    it.each(['RS256', 'RS384', 'RS512'])('accepts a statement signed with %s', async (alg) => {
      const s = statement({ id: randomUUID() });
      const response = await post(signed(s, s, alg).body);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual([s.id]);
      expect(store.stored.size).toBe(1);
    });

    it('refuses a statement that differs from its signed payload', async () => {
      const s = statement({ id: randomUUID() });
      const response = await post(signed(s, { ...s, result: { success: true } }).body);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ signatureError: 'payload-mismatch', path: 'attachments[0]' });
      expect(t.producer.sent).toHaveLength(0);
    });

    it('refuses a signature with an algorithm other than RS256/384/512', async () => {
      const s = statement({ id: randomUUID() });
      const token = Buffer.from(
        `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(s)).toString(
          'base64url',
        )}.bWFj`,
      );
      const sent = {
        ...s,
        attachments: [
          attachmentFor(token, { usageType: SIGNATURE_USAGE_TYPE, contentType: 'application/octet-stream' }),
        ],
      };
      const response = await post(multipart(sent, [{ data: token }]));
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ signatureError: 'unsupported-algorithm' });
    });

    it('refuses a signature attachment that is not application/octet-stream', async () => {
      const s = statement({ id: randomUUID() });
      const token = Buffer.from(jws('RS256', s));
      const sent = {
        ...s,
        attachments: [
          attachmentFor(token, { usageType: SIGNATURE_USAGE_TYPE, contentType: 'text/plain; charset=ascii' }),
        ],
      };
      const response = await post(multipart(sent, [{ data: token }]));
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ signatureError: 'wrong-content-type' });
    });
  });
});

describe('a gateway without an attachment store', () => {
  let t: LrsTestApp;
  beforeEach(async () => {
    t = await startLrsTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  it('refuses attachment data with 501 and sends nothing', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/xapi/statements',
      headers: { ...HEADERS, 'content-type': MULTIPART },
      payload: multipart(statement({ attachments: [attachmentFor(ESSAY)] }), [{ data: ESSAY }]),
    });
    expect(response.statusCode).toBe(501);
    expect(response.json().message).toMatch(/no attachment store/);
    expect(t.producer.sent).toHaveLength(0);
  });
});
