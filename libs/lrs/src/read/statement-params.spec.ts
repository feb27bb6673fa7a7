import { BadRequestError } from '../errors';
import { decodeMoreCursor, encodeMoreCursor, type MoreCursor } from './more-cursor';
import { parseGetStatementsParams } from './statement-params';

const ID = '0b9c2f7e-5d1a-4c3b-9e8f-7a6b5c4d3e2f';

describe('parseGetStatementsParams', () => {
  it('reads statementId and voidedStatementId (lower-cased) with format and attachments', () => {
    expect(parseGetStatementsParams({ statementId: ID.toUpperCase(), format: 'ids' })).toEqual({
      kind: 'single',
      id: ID,
      voided: false,
      format: 'ids',
      attachments: false,
    });
    expect(parseGetStatementsParams({ voidedStatementId: ID, attachments: 'true' })).toMatchObject({
      kind: 'single',
      voided: true,
      format: 'exact',
      attachments: true,
    });
  });

  it.each([
    [{ statementId: ID, voidedStatementId: ID }, /together/],
    [{ statementId: ID, verb: 'http://example.org/v' }, /only format and attachments/],
    [{ voidedStatementId: ID, limit: '1' }, /only format and attachments/],
    [{ statementId: 'not-a-uuid' }, /not a UUID/],
    [{ Verb: 'http://example.org/v' }, /unknown parameter/],
    [{ verb: ['http://a.example/v', 'http://b.example/v'] }, /once/],
    [{ verb: 'not an iri' }, /not an IRI/],
    [{ limit: '-1' }, /nonnegative integer/],
    [{ limit: '1.5' }, /nonnegative integer/],
    [{ ascending: 'yes' }, /true or false/],
    [{ format: 'full' }, /ids, exact or canonical/],
    [{ since: 'yesterday' }, /ISO 8601/],
    [{ registration: 'abc' }, /not a UUID/],
    [{ agent: 'mailto:x@example.org' }, /JSON/],
    [{ agent: '{"objectType":"Group","member":[{"mbox":"mailto:a@example.org"}]}' }, /anonymous/],
    [{ more: 'abc', limit: '1' }, /no other parameters/],
  ])('refuses %j with 400', (query, message) => {
    expect(() => parseGetStatementsParams(query)).toThrow(BadRequestError);
    expect(() => parseGetStatementsParams(query)).toThrow(message);
  });

  it('reads a query: agent as its canonical key, booleans, limit, times in UTC', () => {
    expect(
      parseGetStatementsParams({
        agent: '{"mbox":"mailto:Li.Wei@EXAMPLE.cn"}',
        related_agents: 'true',
        verb: 'http://adlnet.gov/expapi/verbs/completed',
        activity: 'http://example.org/a',
        related_activities: 'false',
        registration: ID.toUpperCase(),
        since: '2026-03-01T08:00:00+08:00',
        until: '2026-03-02T00:00:00.123456Z',
        limit: '10',
        format: 'canonical',
        ascending: 'true',
      }),
    ).toEqual({
      kind: 'query',
      filter: {
        agentKey: 'mbox:mailto:Li.Wei@example.cn',
        relatedAgents: true,
        verb: 'http://adlnet.gov/expapi/verbs/completed',
        activity: 'http://example.org/a',
        relatedActivities: false,
        registration: ID,
        since: '2026-03-01T00:00:00.000Z',
        until: '2026-03-02T00:00:00.123456Z',
      },
      limit: 10,
      format: 'canonical',
      attachments: false,
      ascending: true,
    });
  });

  it('defaults: everything, newest first, exact, limit 0 (the server maximum)', () => {
    expect(parseGetStatementsParams({})).toMatchObject({
      kind: 'query',
      limit: 0,
      format: 'exact',
      ascending: false,
      attachments: false,
    });
  });

  it('passes a more token through on its own', () => {
    expect(parseGetStatementsParams({ more: 'abc' })).toEqual({ kind: 'more', token: 'abc' });
  });
});

describe('more cursor', () => {
  const cursor: MoreCursor = {
    filter: { agentKey: 'mbox:mailto:a@example.org', relatedAgents: true, since: '2026-03-01T00:00:00.000Z' },
    format: 'canonical',
    attachments: false,
    ascending: true,
    limit: 25,
    storedAtMost: '2026-03-02 00:00:00.123456',
    after: { stored: '2026-03-01 10:00:00.000001', id: ID },
  };

  it('round-trips through opaque URL-safe text', () => {
    const token = encodeMoreCursor(cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeMoreCursor(token)).toEqual(cursor);
  });

  it.each([
    ['not base64', '!!!'],
    ['not JSON', Buffer.from('{').toString('base64url')],
    ['another document', Buffer.from('{"v":2}').toString('base64url')],
    ['a forged time', encodeMoreCursor({ ...cursor, storedAtMost: "2026-03-02 00:00:00.123456' OR 1=1 --" })],
  ])('refuses %s with 400', (_what, token) => {
    expect(() => decodeMoreCursor(token)).toThrow(BadRequestError);
  });
});
