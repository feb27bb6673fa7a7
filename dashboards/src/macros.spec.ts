import { ALL_VALUE, QueryExpansionError, expandQuery, referencedVariables } from './macros';

const from = new Date('2026-11-01T00:00:00.000Z');
const to = new Date('2026-11-02T12:30:45.678Z');
const base = { from, to, intervalSeconds: 60 };
const FROM_S = from.getTime() / 1000;
const TO_S = Math.floor(to.getTime() / 1000);

describe('expandQuery: backend macros (pkg/macros/macros.go)', () => {
  it('expands $__timeFilter to whole-second toDateTime bounds', () => {
    expect(expandQuery('WHERE $__timeFilter(ts)', base)).toBe(
      `WHERE ts >= toDateTime(${FROM_S}) AND ts <= toDateTime(${TO_S})`,
    );
  });

  it('expands the millisecond variants with fromUnixTimestamp64Milli', () => {
    expect(expandQuery('$__timeFilter_ms(ts) $__fromTime_ms $__toTime_ms', base)).toBe(
      `ts >= fromUnixTimestamp64Milli(${from.getTime()}) AND ts <= fromUnixTimestamp64Milli(${to.getTime()}) ` +
        `fromUnixTimestamp64Milli(${from.getTime()}) fromUnixTimestamp64Milli(${to.getTime()})`,
    );
  });

  it('expands $__fromTime / $__toTime without arguments and keeps the text around them', () => {
    expect(expandQuery("toDate($__fromTime, 'Asia/Shanghai') - toDate($__toTime)", base)).toBe(
      `toDate(toDateTime(${FROM_S}), 'Asia/Shanghai') - toDate(toDateTime(${TO_S}))`,
    );
  });

  it('expands $__dateFilter and $__dt with UTC dates', () => {
    expect(expandQuery('$__dateFilter(d)', base)).toBe(
      "d >= toDate('2026-11-01') AND d <= toDate('2026-11-02')",
    );
    expect(expandQuery('$__dt(d, t)', base)).toBe(
      `(d >= toDate('2026-11-01') AND d <= toDate('2026-11-02')) AND (t >= toDateTime(${FROM_S}) AND t <= toDateTime(${TO_S}))`,
    );
  });

  it('expands $__timeInterval and $__interval_s from the panel interval, at least one second', () => {
    expect(expandQuery('$__timeInterval(ts)', { ...base, intervalSeconds: 300 })).toBe(
      'toStartOfInterval(toDateTime(ts), INTERVAL 300 second)',
    );
    expect(expandQuery('$__interval_s', { ...base, intervalSeconds: 0.2 })).toBe('1');
    expect(expandQuery('$__timeInterval_ms(ts)', { ...base, intervalSeconds: 0.25 })).toBe(
      'toStartOfInterval(toDateTime64(ts, 3), INTERVAL 250 millisecond)',
    );
  });

  it('keeps nested brackets inside a macro argument', () => {
    expect(expandQuery('$__timeFilter(toDateTime(ts, 3))', base)).toBe(
      `toDateTime(ts, 3) >= toDateTime(${FROM_S}) AND toDateTime(ts, 3) <= toDateTime(${TO_S})`,
    );
  });

  it('refuses a macro with the wrong number of arguments, as the plugin does', () => {
    expect(() => expandQuery('$__timeFilter(a, b)', base)).toThrow(QueryExpansionError);
  });

  it('leaves unknown $__ names alone', () => {
    expect(expandQuery('$__rate_interval', base)).toBe('$__rate_interval');
  });
});

describe('expandQuery: template variables', () => {
  it('formats with :singlequote, escaping quotes, for single and multi values', () => {
    expect(expandQuery('${v:singlequote}', { ...base, variables: { v: "o'k" } })).toBe("'o\\'k'");
    expect(expandQuery('IN (${v:singlequote})', { ...base, variables: { v: ['east', 'west'] } })).toBe(
      "IN ('east','west')",
    );
  });

  it('uses the plugin formatter without a format: multi quoted, single raw', () => {
    expect(expandQuery('$v / ${v} / [[v]]', { ...base, variables: { v: ['a', 'b'] } })).toBe(
      "'a','b' / 'a','b' / 'a','b'",
    );
    expect(expandQuery('$v', { ...base, variables: { v: '42' } })).toBe('42');
  });

  it('expands All to every option, or to the custom all value unformatted', () => {
    expect(
      expandQuery('${v:singlequote}', {
        ...base,
        variables: { v: { value: [ALL_VALUE], options: ['a', 'b'] } },
      }),
    ).toBe("'a','b'");
    expect(
      expandQuery('${v:singlequote}', { ...base, variables: { v: { value: ALL_VALUE, allValue: '.*' } } }),
    ).toBe('.*');
    expect(() => expandQuery('$v', { ...base, variables: { v: ALL_VALUE } })).toThrow(QueryExpansionError);
  });

  it('does not take a longer name for a shorter variable', () => {
    expect(expandQuery('$town $towns', { ...base, variables: { town: 'T01' } })).toBe('T01 $towns');
  });

  it('replaces the built-in $__from, $__to and $__interval', () => {
    expect(expandQuery('$__from $__to $__interval $__interval_ms', { ...base, intervalSeconds: 3600 })).toBe(
      `${from.getTime()} ${to.getTime()} 1h 3600000`,
    );
  });
});

describe('expandQuery: $__conditionalAll (plugin frontend)', () => {
  const sql = 'WHERE $__conditionalAll(region IN (${region:singlequote}), $region) AND x';

  it('becomes 1=1 when the variable is All', () => {
    expect(expandQuery(sql, { ...base, variables: { region: [ALL_VALUE] } })).toBe('WHERE 1=1 AND x');
  });

  it('becomes 1=1 when nothing is selected', () => {
    expect(expandQuery(sql, { ...base, variables: { region: '' } })).toBe('WHERE 1=1 AND x');
  });

  it('keeps the condition, with the variable expanded, for a selection', () => {
    expect(expandQuery(sql, { ...base, variables: { region: ['west'] } })).toBe(
      "WHERE region IN ('west') AND x",
    );
  });

  it('handles several calls and brackets in the condition', () => {
    const two =
      '$__conditionalAll(lower(a) IN (${a:singlequote}), $a) AND $__conditionalAll(f(b, 1) IN (${b:singlequote}), $b)';
    expect(expandQuery(two, { ...base, variables: { a: ['x'], b: ALL_VALUE } })).toBe(
      "lower(a) IN ('x') AND 1=1",
    );
  });
});

describe('referencedVariables', () => {
  it('lists the variables a query uses, without built-ins', () => {
    expect(
      referencedVariables(
        '$__conditionalAll(a IN (${region:singlequote}), $region) $__timeFilter(t) $__from [[town]]',
      ).sort(),
    ).toEqual(['region', 'town']);
  });
});
