import { BadRequestError } from '../errors';
import { fromAlternateSyntax } from './alternate-syntax';
import { parseFormBody } from './read-http-setup';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('alternate request syntax (Communication 1.3)', () => {
  it('turns header fields into headers, content into the body and other fields into parameters', () => {
    const form = parseFormBody(
      new URLSearchParams({
        Authorization: 'Basic abc',
        'X-Experience-API-Version': '1.0.3',
        'Content-Type': 'application/json',
        statementId: 'id-1',
        content: '{"actor":{"mbox":"mailto:a@example.org"}}',
      }).toString(),
    );
    const alternate = fromAlternateSyntax({
      headers: { ...FORM, 'accept-language': 'zh' },
      query: { method: 'put' },
      body: form,
    });
    expect(alternate.method).toBe('PUT');
    expect(alternate.request.headers).toEqual({
      authorization: 'Basic abc',
      'x-experience-api-version': '1.0.3',
      'content-type': 'application/json',
      'accept-language': 'zh',
    });
    expect(alternate.request.query).toEqual({ statementId: 'id-1' });
    expect(alternate.request.body).toEqual({ actor: { mbox: 'mailto:a@example.org' } });
  });

  it.each([
    ['another query parameter', { method: 'GET', limit: '1' }, FORM, {}],
    ['an unknown method', { method: 'PATCH' }, FORM, {}],
    ['HEAD (a POST answer has a body; use GET)', { method: 'HEAD' }, FORM, {}],
    ['a body that is not a form', { method: 'PUT' }, { 'content-type': 'application/json' }, { a: 1 }],
    ['content that is not JSON', { method: 'PUT' }, FORM, { content: '{' }],
    ['xAPI 2.0', { method: 'GET' }, { ...FORM, 'x-experience-api-version': '2.0.0' }, {}],
  ])('refuses %s with 400', (_what, query, headers, body) => {
    expect(() => fromAlternateSyntax({ headers, query, body })).toThrow(BadRequestError);
  });

  it('keeps a repeated form field as a list, for the resource to refuse', () => {
    expect(parseFormBody('a=1&a=2&b=3')).toEqual({ a: ['1', '2'], b: '3' });
  });
});
