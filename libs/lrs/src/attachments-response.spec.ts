import { createHash } from 'node:crypto';
import { parseStatementMultipart } from '@app/xapi';
import { InMemoryAttachmentStore } from './attachments';
import { AttachmentDataMissingError, attachmentsResponse } from './attachments-response';

function data(text: string) {
  const content = Buffer.from(text);
  return { sha2: createHash('sha256').update(content).digest('hex'), content };
}

function attachment(d: { sha2: string; content: Buffer }, extra: Record<string, unknown> = {}) {
  return {
    usageType: 'http://example.com/usage',
    display: { 'en-US': 'a' },
    contentType: 'text/plain',
    length: d.content.length,
    sha2: d.sha2,
    ...extra,
  };
}

const essay = data('essay');
const photo = data('\u0000photo\u00ff');
const linked = data('only a link');

function statementWith(attachments: unknown[], object: unknown = { id: 'http://example.com/a' }) {
  return {
    id: '6a3b3c4d-1111-4222-8333-944455556666',
    actor: { mbox: 'mailto:a@example.cn' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object,
    attachments,
  };
}

describe('attachmentsResponse (GET with attachments=true)', () => {
  let store: InMemoryAttachmentStore;
  beforeEach(async () => {
    store = new InMemoryAttachmentStore();
    await store.storeAttachments([
      { ...essay, contentType: 'text/plain' },
      { ...photo, contentType: 'image/png' },
    ]);
  });

  it('answers a StatementResult as the first part and each referenced attachment once after it', async () => {
    const result = {
      statements: [
        statementWith([attachment(essay), attachment(linked, { fileUrl: 'https://x.cn/l' })]),
        statementWith([attachment(essay)], {
          objectType: 'SubStatement',
          actor: { mbox: 'mailto:b@example.cn' },
          verb: { id: 'http://adlnet.gov/expapi/verbs/attended' },
          object: { id: 'http://example.com/b' },
          attachments: [attachment(photo, { contentType: 'image/png' })],
        }),
      ],
      more: '/xapi/statements?more=abc',
    };
    const response = await attachmentsResponse(result, store, { 'X-Experience-API-Version': '1.0.3' });
    expect(response.status).toBe(200);
    expect(response.headers['X-Experience-API-Version']).toBe('1.0.3');
    expect(response.headers['Content-Type']).toMatch(/^multipart\/mixed; boundary=/);
    const parsed = parseStatementMultipart(response.body, response.headers['Content-Type']);
    expect(parsed.statements).toEqual(result);
    expect(parsed.attachments).toEqual([
      { sha2: essay.sha2, contentType: 'text/plain', content: essay.content },
      { sha2: photo.sha2, contentType: 'image/png', content: photo.content },
    ]);
  });

  it('answers a single statement (statementId) with its attachment', async () => {
    const single = statementWith([attachment(photo, { contentType: 'image/png' })]);
    const response = await attachmentsResponse(single, store);
    const parsed = parseStatementMultipart(response.body, response.headers['Content-Type']);
    expect(parsed.statements).toEqual(single);
    expect(parsed.attachments.map((a) => a.content)).toEqual([photo.content]);
  });

  it('answers an empty result as a multipart document with only the JSON part', async () => {
    const response = await attachmentsResponse({ statements: [], more: '' }, store);
    const parsed = parseStatementMultipart(response.body, response.headers['Content-Type']);
    expect(parsed).toEqual({ statements: { statements: [], more: '' }, attachments: [] });
  });

  it('fails, rather than answer without it, when data of an attachment without fileUrl is missing', async () => {
    const missing = data('never uploaded');
    await expect(
      attachmentsResponse({ statements: [statementWith([attachment(missing)])] }, store),
    ).rejects.toThrow(AttachmentDataMissingError);
  });
});
