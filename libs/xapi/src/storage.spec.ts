import { MissingAuthorityError, prepareForStorage } from './storage';
import { baseStatement, withProps } from './spec-helpers';
import { parseStatement } from './validate';
import { InvalidTimestampError } from './timestamp';

const authority = {
  objectType: 'Agent' as const,
  account: { homePage: 'https://lrs.jlp.cq.cn', name: 'portal' },
};

describe('prepareForStorage', () => {
  it('assigns id, stored, timestamp, authority and version the way the LRS stores them', () => {
    const stored = prepareForStorage(parseStatement(baseStatement()), {
      stored: new Date('2024-05-11T01:42:18.123Z'),
      authority,
      generateId: () => '00000000-0000-4000-8000-000000000001',
    });
    expect(stored).toEqual({
      ...baseStatement(),
      id: '00000000-0000-4000-8000-000000000001',
      stored: '2024-05-11T01:42:18.123Z',
      timestamp: '2024-05-11T01:42:18.123Z',
      authority,
      version: '1.0.0',
    });
  });

  it('keeps client id, timestamp and version, overwrites stored and authority', () => {
    const client = parseStatement(
      withProps({
        id: '3f0c2a1e-8b7d-4c55-9a0e-5d2b7c1f4e61',
        timestamp: '2024-05-11T09:42:17.123456+08:00',
        stored: '2000-01-01T00:00:00Z',
        authority: { mbox: 'mailto:spoof@example.com' },
        version: '1.0.3',
      }),
    );
    const stored = prepareForStorage(client, {
      stored: '2024-05-11T01:42:18.000001Z',
      authority,
      version: '1.0.3',
    });
    expect(stored).toMatchObject({
      id: '3f0c2a1e-8b7d-4c55-9a0e-5d2b7c1f4e61',
      timestamp: '2024-05-11T09:42:17.123456+08:00',
      stored: '2024-05-11T01:42:18.000001Z',
      authority,
      version: '1.0.3',
    });
  });

  it('defaults version 2.0.0 under xAPI 2.0 and generates a UUID by default', () => {
    const stored = prepareForStorage(parseStatement(baseStatement()), {
      stored: new Date(),
      authority,
      version: '2.0.0',
    });
    expect(stored.version).toBe('2.0.0');
    expect(stored.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses to store without an authority or with a bad stored time', () => {
    expect(() => prepareForStorage(parseStatement(baseStatement()), { stored: new Date() })).toThrow(
      MissingAuthorityError,
    );
    expect(() => prepareForStorage(parseStatement(baseStatement()), { stored: 'now', authority })).toThrow(
      InvalidTimestampError,
    );
  });
});
