import { createHash } from 'node:crypto';
import {
  boundaryFromContentType,
  buildMultipart,
  buildStatementMultipart,
  MultipartError,
  type MultipartPart,
  parseMultipart,
  parseStatementMultipart,
  sha2Of,
} from './multipart';
import { baseStatement } from './spec-helpers';

const TEXT = Buffer.from('here is a simple attachment');
const TEXT_SHA256 = '495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a';

/** The spec's example (Communication 1.5.2.s6): a boundary with every allowed character class. */
const SPEC_BOUNDARY = "abcABC0123'()+_,-./:=?";

function specExample(statement: unknown = baseStatement()): Buffer {
  return Buffer.concat([
    Buffer.from(`--${SPEC_BOUNDARY}\r\nContent-Type:application/json\r\n\r\n`),
    Buffer.from(JSON.stringify(statement)),
    Buffer.from(
      `\r\n--${SPEC_BOUNDARY}\r\nContent-Type:text/plain\r\nContent-Transfer-Encoding:binary\r\n` +
        `X-Experience-API-Hash:${TEXT_SHA256}\r\n\r\n`,
    ),
    TEXT,
    Buffer.from(`\r\n--${SPEC_BOUNDARY}--`),
  ]);
}

const SPEC_TYPE = `multipart/mixed; boundary="${SPEC_BOUNDARY}"`;

function body(lines: string[]): Buffer {
  return Buffer.from(lines.join('\r\n'));
}

describe('boundaryFromContentType', () => {
  it('reads quoted and unquoted boundaries', () => {
    expect(boundaryFromContentType(SPEC_TYPE)).toBe(SPEC_BOUNDARY);
    expect(boundaryFromContentType('multipart/mixed;boundary=-------314159')).toBe('-------314159');
    expect(boundaryFromContentType('multipart/mixed; charset=x; BOUNDARY=abc')).toBe('abc');
  });

  it('refuses a Content-Type without a boundary', () => {
    expect(() => boundaryFromContentType('multipart/mixed;')).toThrow(/no boundary parameter/);
    expect(() => boundaryFromContentType('multipart/mixed')).toThrow(MultipartError);
  });
});

describe('parseStatementMultipart', () => {
  it('parses the spec example: statement first, one attachment part with its hash', () => {
    const parsed = parseStatementMultipart(specExample(), SPEC_TYPE);
    expect(parsed.statements).toEqual(baseStatement());
    expect(parsed.attachments).toEqual([{ sha2: TEXT_SHA256, contentType: 'text/plain', content: TEXT }]);
    expect(sha2Of(parsed.attachments[0].content, parsed.attachments[0].sha2)).toBe(TEXT_SHA256);
  });

  it('accepts a preamble (the ADL suite starts with CRLF) and keeps binary content byte for byte', () => {
    const binary = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d, 0x80, 0x0d]);
    const hash = createHash('sha512').update(binary).digest('hex');
    const raw = Buffer.concat([
      body(['', '--b1', 'Content-Type: application/json; charset=utf-8', '', '[]']),
      body([
        '',
        '--b1',
        'Content-Transfer-Encoding: Binary',
        `X-Experience-API-Hash: ${hash.toUpperCase()}`,
        '',
        '',
      ]),
      binary,
      Buffer.from('\r\n--b1--\r\nepilogue'),
    ]);
    const parsed = parseStatementMultipart(raw, 'multipart/mixed; boundary=b1');
    expect(parsed.statements).toEqual([]);
    expect(parsed.attachments).toEqual([{ sha2: hash, content: binary }]);
    expect(sha2Of(binary, hash)).toBe(hash);
  });

  it('refuses a body without the declared boundary', () => {
    expect(() => parseStatementMultipart(specExample(), 'multipart/mixed; boundary=other')).toThrow(
      /does not contain the boundary other/,
    );
  });

  it('refuses a body without the closing delimiter', () => {
    const raw = body(['--b', 'Content-Type: application/json', '', '{}', '--b', 'X: y', '', 'data']);
    expect(() => parseStatementMultipart(raw, 'multipart/mixed; boundary=b')).toThrow(/no closing boundary/);
  });

  it('refuses a first part that is not application/json, or has no Content-Type', () => {
    const textFirst = body(['--b', 'Content-Type: text/plain', '', '{}', '--b--']);
    expect(() => parseStatementMultipart(textFirst, 'multipart/mixed; boundary=b')).toThrow(
      /first part \(the statements\) must be application\/json, not text\/plain/,
    );
    const untyped = body(['--b', '', '{}', '--b--']);
    expect(() => parseStatementMultipart(untyped, 'multipart/mixed; boundary=b')).toThrow(
      /has no Content-Type/,
    );
  });

  it('refuses a first part that is not JSON (a missing boundary line runs two parts together)', () => {
    const raw = body([
      '--b',
      'Content-Type: application/json',
      '',
      '{"a":1}',
      'Content-Type: text/plain',
      '',
      'x',
      '--b--',
    ]);
    expect(() => parseStatementMultipart(raw, 'multipart/mixed; boundary=b')).toThrow(
      /first part is not valid JSON/,
    );
  });

  it.each([
    [
      'no X-Experience-API-Hash',
      ['Content-Type: text/plain', 'Content-Transfer-Encoding: binary'],
      /part 1 has no X-Experience-API-Hash/,
    ],
    [
      'a hash that is not SHA-2 hex',
      ['Content-Transfer-Encoding: binary', 'X-Experience-API-Hash: abc'],
      /not a hex SHA-2/,
    ],
    [
      'no Content-Transfer-Encoding',
      [`X-Experience-API-Hash: ${TEXT_SHA256}`],
      /no Content-Transfer-Encoding/,
    ],
    [
      'base64 encoding',
      ['Content-Transfer-Encoding: base64', `X-Experience-API-Hash: ${TEXT_SHA256}`],
      /must be binary, not base64/,
    ],
  ])('refuses an attachment part with %s', (_name, headers, message) => {
    const raw = body([
      '--b',
      'Content-Type: application/json',
      '',
      '{}',
      '--b',
      ...headers,
      '',
      'x',
      '--b--',
    ]);
    expect(() => parseStatementMultipart(raw, 'multipart/mixed; boundary=b')).toThrow(message);
  });

  it('refuses a header line without a colon', () => {
    const raw = body(['--b', 'Content-Type application/json', '', '{}', '--b--']);
    expect(() => parseMultipart(raw, 'multipart/mixed; boundary=b')).toThrow(/malformed header line/);
  });
});

describe('building', () => {
  it('round-trips parts through buildMultipart and parseMultipart', () => {
    const parts: MultipartPart[] = [
      { headers: { 'content-type': 'application/json' }, content: Buffer.from('{"x":1}') },
      { headers: { 'x-a': '1' }, content: Buffer.from([0, 1, 2, 13, 10]) },
    ];
    const built = buildMultipart(parts);
    expect(built.contentType).toMatch(/^multipart\/mixed; boundary=xapi-[0-9a-f]+$/);
    expect(parseMultipart(built.body, built.contentType)).toEqual(parts);
  });

  it('builds a statement response: JSON first, each attachment once with hash and binary encoding', () => {
    const attachment = {
      sha2: TEXT_SHA256.toUpperCase(),
      contentType: 'text/plain; charset=ascii',
      content: TEXT,
    };
    const built = buildStatementMultipart({ statements: [baseStatement()], more: '' }, [
      attachment,
      attachment,
    ]);
    const parsed = parseStatementMultipart(built.body, built.contentType);
    expect(parsed.statements).toEqual({ statements: [baseStatement()], more: '' });
    expect(parsed.attachments).toEqual([
      { sha2: TEXT_SHA256, contentType: 'text/plain; charset=ascii', content: TEXT },
    ]);
  });
});
