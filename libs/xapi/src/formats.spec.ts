import {
  describeValue,
  isIri,
  isIsoTimestamp,
  isLanguageTag,
  isMailtoIri,
  isMediaType,
  isRfc3339Timestamp,
  isSha1Hex,
  isSha2Hex,
  isUuid,
  isVersion10,
} from './formats';

describe('IRIs', () => {
  it.each([
    'http://adlnet.gov/expapi/verbs/completed',
    'https://learn.jlp.cq.cn/课程/计算机基本操作',
    'course-v1:JLP+CS101+2024_T1',
    'urn:uuid:3f0c2a1e-8b7d-4c55-9a0e-5d2b7c1f4e61',
    'tag:jlp.cq.cn,2024:activity/1',
  ])('accepts %s (any scheme)', (iri) => expect(isIri(iri)).toBe(true));

  it.each(['', 'attended', '/relative/path', '#fragment', 'ab=c://should.fail.com', 'http://a b', 'http:'])(
    'rejects %j',
    (iri) => expect(isIri(iri)).toBe(false),
  );
});

describe('mailto IRIs', () => {
  it('accepts mailto:name@domain', () => expect(isMailtoIri('mailto:zhang.wei@jlp.cq.cn')).toBe(true));
  it.each(['zhang@jlp.cq.cn', 'mailto:should.fail.com', 'http://should.fail.com', 'mailto:', 'mailto:a@'])(
    'rejects %j',
    (v) => expect(isMailtoIri(v)).toBe(false),
  );
});

describe('hashes, UUIDs, media types, versions', () => {
  it('checks SHA-1 as 40 hex digits', () => {
    expect(isSha1Hex('cd9b00a5611f94eaa7b1661edab976068e364975')).toBe(true);
    expect(isSha1Hex('CD9B00A5611F94EAA7B1661EDAB976068E364975')).toBe(true);
    expect(isSha1Hex('cd9b00a5611f94eaa7b1661edab976068e36497')).toBe(false);
    expect(isSha1Hex('zd9b00a5611f94eaa7b1661edab976068e364975')).toBe(false);
  });

  it('checks SHA-2 digests of the SHA-224/256/384/512 lengths', () => {
    expect(isSha2Hex('a'.repeat(64))).toBe(true);
    expect(isSha2Hex('a'.repeat(128))).toBe(true);
    expect(isSha2Hex('a'.repeat(63))).toBe(false);
  });

  it('checks UUID shape only, any version or variant', () => {
    expect(isUuid('3f0c2a1e-8b7d-4c55-9a0e-5d2b7c1f4e61')).toBe(true);
    expect(isUuid('3F0C2A1E-8B7D-0C55-0A0E-5D2B7C1F4E61')).toBe(true);
    expect(isUuid('MA97B177-9383-4934-8543-0F91A7A02836')).toBe(false);
    expect(isUuid('AA97B177-9383-4934-8543-0F91A7A028368')).toBe(false);
    expect(isUuid('3f0c2a1e8b7d4c559a0e5d2b7c1f4e61')).toBe(false);
  });

  it('checks media types', () => {
    expect(isMediaType('text/plain; charset=ascii')).toBe(true);
    expect(isMediaType('application/octet-stream')).toBe(true);
    expect(isMediaType('plain text')).toBe(false);
  });

  it('accepts 1.0 and 1.0.x versions only', () => {
    expect(isVersion10('1.0.0')).toBe(true);
    expect(isVersion10('1.0')).toBe(true);
    expect(isVersion10('1.0.9')).toBe(true);
    expect(isVersion10('1.1.0')).toBe(false);
    expect(isVersion10('0.9.9')).toBe(false);
  });
});

describe('RFC 5646 language tags', () => {
  it.each([
    'zh-CN',
    'zh-Hans-CN',
    'en-US',
    'en',
    'yue-HK',
    'zh-cmn-Hans-CN',
    'de-CH-1996',
    'x-private',
    'i-klingon',
  ])('accepts %s', (tag) => expect(isLanguageTag(tag)).toBe(true));
  it.each(['', 'a12345678', 'a12345', 'something', 'en_US', 'zh-', '-CN', 'en--US'])('rejects %j', (tag) =>
    expect(isLanguageTag(tag)).toBe(false),
  );
});

describe('ISO 8601 timestamps (xAPI 1.0.3)', () => {
  it.each([
    '2024-05-11T09:42:17Z',
    '2024-05-11T09:42:17.123Z',
    '2024-05-11T09:42:17.123456+08:00',
    '2024-05-11T09:42:17.123456789+0800',
    '2024-05-11T09:42+08',
    '2024-02-29T00:00:00Z',
  ])('accepts %s', (ts) => expect(isIsoTimestamp(ts)).toBe(true));

  it.each([
    'should fail',
    '01/011/2015',
    '2024-05-11T09:42:17',
    '2024-05-11',
    '2008-09-15T15:53:00.601-00',
    '2008-09-15T15:53:00.601-0000',
    '2008-09-15T15:53:00.601-00:00',
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-05-11T24:00:00Z',
  ])('rejects %j', (ts) => expect(isIsoTimestamp(ts)).toBe(false));
});

describe('RFC 3339 timestamps (xAPI 2.0)', () => {
  it('requires seconds and a colon in the offset', () => {
    expect(isRfc3339Timestamp('2024-05-11T09:42:17.123456+08:00')).toBe(true);
    expect(isRfc3339Timestamp('2024-05-11T09:42+08:00')).toBe(false);
    expect(isRfc3339Timestamp('2024-05-11T09:42:17+0800')).toBe(false);
    expect(isRfc3339Timestamp('2024-05-11T09:42:17-00:00')).toBe(false);
  });
});

describe('describeValue', () => {
  it('renders what was found compactly', () => {
    expect(describeValue('x')).toBe('"x"');
    expect(describeValue(5)).toBe('number 5');
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1, 2])).toBe('an array of 2');
    expect(describeValue('y'.repeat(100))).toHaveLength(62);
  });
});
