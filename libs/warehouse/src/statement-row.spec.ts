import { fromClickHouseDateTime64, StatementRowSchema, toClickHouseDateTime64 } from './statement-row';

describe('toClickHouseDateTime64', () => {
  it('keeps microseconds and converts offsets to UTC', () => {
    expect(toClickHouseDateTime64('2024-03-01T08:30:00.123456+08:00')).toBe('2024-03-01 00:30:00.123456');
    expect(toClickHouseDateTime64('2024-03-01T00:00:00Z')).toBe('2024-03-01 00:00:00.000000');
    expect(toClickHouseDateTime64('2023-12-31T23:59:59.5-0100')).toBe('2024-01-01 00:59:59.500000');
  });

  it('truncates digits beyond microseconds', () => {
    expect(toClickHouseDateTime64('2024-03-01T00:00:00.1234567Z')).toBe('2024-03-01 00:00:00.123456');
  });

  it('rejects timestamps without a zone or with impossible values', () => {
    expect(() => toClickHouseDateTime64('2024-03-01T00:00:00')).toThrow(RangeError);
    expect(() => toClickHouseDateTime64('2024-13-45T00:00:00Z')).toThrow(RangeError);
  });

  it('round-trips to ISO 8601', () => {
    expect(fromClickHouseDateTime64('2024-03-01 00:30:00.123456')).toBe('2024-03-01T00:30:00.123456Z');
  });
});

describe('StatementRowSchema', () => {
  const minimal = {
    id: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    actor_key: 'mbox:mailto:learner@example.org',
    verb_id: 'http://adlnet.gov/expapi/verbs/completed',
    object_id: 'https://jlp.example/courses/chinese-input',
    object_type: 'Activity',
    timestamp: '2024-03-01 00:30:00.123456',
    stored: '2024-03-01 00:30:01.000001',
    registration: null,
    voided: false,
    voiding_target: null,
    source: 'classroom',
    credential_key: 'classroom-baishiyi-01',
    duration_seconds: null,
    score_scaled: null,
    success: null,
    completion: true,
    raw: '{"id":"f81d4fae-7dec-11d0-a765-00a0c91e6bf6"}',
  };

  it('fills enrichment defaults matching the table', () => {
    const row = StatementRowSchema.parse(minimal);
    expect(row).toMatchObject({
      town: 'unattributed',
      region: 'unknown',
      kafka_offset: '-1',
      verb_category: 'other',
    });
  });

  it('rejects unknown columns and millisecond timestamps', () => {
    expect(StatementRowSchema.safeParse({ ...minimal, extra: 1 }).success).toBe(false);
    expect(StatementRowSchema.safeParse({ ...minimal, timestamp: '2024-03-01 00:30:00.123' }).success).toBe(
      false,
    );
  });
});
