import {
  InvalidDurationError,
  durationForComparison,
  durationToSeconds,
  isIsoDuration,
  parseDuration,
} from './duration';

describe('ISO 8601 durations', () => {
  it.each([
    'PT4H35M59.14S',
    'P3Y1M29DT4H35M59.14S',
    'P3Y',
    'P4W',
    'PT1H0M0.1S',
    'PT16559.14S',
    'P1D',
    'PT0S',
    'PT1,5S',
  ])('accepts %s', (d) => expect(isIsoDuration(d)).toBe(true));

  it.each([
    'P4W1D',
    'PA1H0M0S',
    'P',
    'PT',
    'P1DT',
    '4H',
    'PT1.5H30M',
    'P0003-01-29T04:35:59',
    'pt1h',
    '-PT1H',
    '',
  ])('rejects %j', (d) => expect(isIsoDuration(d)).toBe(false));

  it('parses components', () => {
    expect(parseDuration('P1Y2M3DT4H5M6.5S')).toEqual({
      years: 1,
      months: 2,
      weeks: 0,
      days: 3,
      hours: 4,
      minutes: 5,
      seconds: 6.5,
    });
  });

  it('converts to seconds (years 365 days, months 30 days)', () => {
    expect(durationToSeconds('PT4H35M59.14S')).toBeCloseTo(16559.14, 6);
    expect(durationToSeconds('PT42M17.35S')).toBeCloseTo(2537.35, 6);
    expect(durationToSeconds('P4W')).toBe(4 * 7 * 86400);
    expect(durationToSeconds('P1Y1M1D')).toBe((365 + 30 + 1) * 86400);
    expect(durationToSeconds('PT1,5M')).toBe(90);
  });

  it('throws a typed error for anything else', () => {
    expect(() => durationToSeconds('P4W1D')).toThrow(InvalidDurationError);
  });

  it('drops precision beyond 0.01 s for comparison, keeping the string otherwise', () => {
    expect(durationForComparison('PT1.2345S')).toBe('PT1.23S');
    expect(durationForComparison('PT1.20S')).toBe('PT1.2S');
    expect(durationForComparison('PT1.001S')).toBe('PT1S');
    expect(durationForComparison('PT1H')).toBe('PT1H');
    expect(durationForComparison('PT60S')).not.toBe(durationForComparison('PT1M'));
  });
});
