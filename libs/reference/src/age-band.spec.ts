import { AGE_BANDS, ageBand, ageBandInfo, chinaYear, InvalidBirthYearError } from './age-band';

const MID_2026 = new Date('2026-06-15T00:00:00Z');

describe('ageBand', () => {
  it.each([
    [2026, 'under-18'],
    [2009, 'under-18'], // 17
    [2008, '18-29'], // 18
    [1997, '18-29'], // 29
    [1996, '30-44'],
    [1982, '30-44'], // 44
    [1981, '45-59'],
    [1967, '45-59'], // 59
    [1966, '60-69'], // 60
    [1957, '60-69'], // 69
    [1956, '70-79'], // 70
    [1947, '70-79'], // 79
    [1946, '80+'], // 80
    [1900, '80+'], // 126
  ])('born %i is %s in mid-2026', (birthYear, band) => {
    expect(ageBand(birthYear, MID_2026)).toBe(band);
  });

  it('uses the calendar year in China: late on 31 December UTC is already the next year', () => {
    const utcNewYearsEve = new Date('2026-12-31T16:30:00Z');
    expect(chinaYear(utcNewYearsEve)).toBe(2027);
    expect(ageBand(2009, utcNewYearsEve)).toBe('18-29');
    expect(ageBand(2009, new Date('2026-12-31T15:30:00Z'))).toBe('under-18');
  });

  it('rejects future, fractional and implausible birth years', () => {
    expect(() => ageBand(2027, MID_2026)).toThrow(InvalidBirthYearError);
    expect(() => ageBand(1980.5, MID_2026)).toThrow('not a whole year');
    expect(() => ageBand(1850, MID_2026)).toThrow('older than 130');
    expect(() => ageBand(1980, new Date('invalid'))).toThrow(InvalidBirthYearError);
  });

  it('has contiguous bands from 0 with an open-ended last band, each labelled in Chinese and English', () => {
    AGE_BANDS.forEach((band, i) => {
      expect(band.minAge).toBe(i === 0 ? 0 : (AGE_BANDS[i - 1].maxAge ?? NaN) + 1);
      expect(band.labelZh).toMatch(/岁/);
      expect(ageBandInfo(band.id)).toBe(band);
    });
    expect(AGE_BANDS[AGE_BANDS.length - 1].maxAge).toBeNull();
  });
});
