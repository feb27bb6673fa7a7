import { ClickHouseError } from '@clickhouse/client';

import {
  classifyWarehouseError,
  WarehouseConfigError,
  WarehouseDataError,
  WarehouseQueryError,
  WarehouseRetriableError,
} from './warehouse-errors';

// Shaped like chdb's typed errors: `.code` is CHDB_*, `.clickhouseCode` the engine code.
function chdbError(code: string, clickhouseCode?: number): Error {
  const text = clickhouseCode === undefined ? 'chdb failure' : `Code: ${clickhouseCode}. DB::Exception: test`;
  return Object.assign(new Error(text), { code, clickhouseCode });
}

describe('classifyWarehouseError', () => {
  it.each([
    [252, WarehouseRetriableError], // TOO_MANY_PARTS
    [241, WarehouseRetriableError], // MEMORY_LIMIT_EXCEEDED
    [159, WarehouseRetriableError], // TIMEOUT_EXCEEDED
    [376, WarehouseDataError], // CANNOT_PARSE_UUID
    [41, WarehouseDataError], // CANNOT_PARSE_DATETIME
    [60, WarehouseQueryError], // UNKNOWN_TABLE
    [62, WarehouseQueryError], // SYNTAX_ERROR
  ])('maps chdb code %i', (code, type) => {
    const classified = classifyWarehouseError(chdbError('CHDB_QUERY', code), 'ctx');
    expect(classified).toBeInstanceOf(type);
    expect(classified.clickhouseCode).toBe(code);
    expect(classified.message).toMatch(/^ctx: Code:/);
  });

  it('maps @clickhouse/client server errors by their string code', () => {
    const error = new ClickHouseError({ message: 'Too many parts', code: '252', type: 'TOO_MANY_PARTS' });
    expect(classifyWarehouseError(error, 'insert')).toBeInstanceOf(WarehouseRetriableError);
    const parse = new ClickHouseError({
      message: 'Cannot parse',
      code: '27',
      type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
    });
    expect(classifyWarehouseError(parse, 'insert')).toBeInstanceOf(WarehouseDataError);
  });

  it('treats network failures and timeouts as retriable', () => {
    expect(
      classifyWarehouseError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), 'q'),
    ).toBeInstanceOf(WarehouseRetriableError);
    expect(classifyWarehouseError(new Error('Timeout error.'), 'q')).toBeInstanceOf(WarehouseRetriableError);
    expect(classifyWarehouseError(chdbError('CHDB_TIMEOUT'), 'q')).toBeInstanceOf(WarehouseRetriableError);
  });

  it('treats a closed chdb session as a configuration error and passes typed errors through', () => {
    expect(classifyWarehouseError(chdbError('CHDB_CLOSED'), 'q')).toBeInstanceOf(WarehouseConfigError);
    const typed = new WarehouseDataError('x');
    expect(classifyWarehouseError(typed, 'q')).toBe(typed);
  });
});
