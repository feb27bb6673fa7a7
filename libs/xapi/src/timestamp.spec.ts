import { InvalidTimestampError, toUtcTimestamp } from './timestamp';

describe('toUtcTimestamp', () => {
  it('converts to UTC keeping every fraction digit', () => {
    expect(toUtcTimestamp('2024-05-11T09:42:17.123456+08:00')).toBe('2024-05-11T01:42:17.123456Z');
    expect(toUtcTimestamp('2024-01-01T02:00:00+0800')).toBe('2023-12-31T18:00:00.000Z');
    expect(toUtcTimestamp('2024-05-11T09:42Z')).toBe('2024-05-11T09:42:00.000Z');
    expect(toUtcTimestamp('2024-05-11T09:42:17.1200Z')).toBe('2024-05-11T09:42:17.120Z');
  });

  it('throws for anything that is not a timestamp with a zone', () => {
    expect(() => toUtcTimestamp('2024-05-11T09:42:17')).toThrow(InvalidTimestampError);
  });
});
