import { XapiBatchValidationError, XapiValidationError } from './errors';
import { baseStatement, withProps } from './spec-helpers';
import { parseStatement, parseStatements, validateStatement, validateStatements } from './validate';
import { xapiVersionFromHeader } from './version';
import { UnsupportedXapiVersionError } from './errors';

describe('validateStatement / parseStatement', () => {
  it('returns a typed result with path, rule and message', () => {
    const result = validateStatement(
      withProps({ actor: { mbox: 'mailto:a@b.cn', mbox_sha1sum: 'a'.repeat(40) } }),
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          path: 'actor',
          rule: 'agent.ifi',
          message:
            'actor: an Agent must have exactly one of mbox, mbox_sha1sum, openid, account (found 2: mbox, mbox_sha1sum)',
        },
      ],
    });
  });

  it('throws XapiValidationError carrying every error', () => {
    const input = withProps({ verb: { id: 'x' }, object: { id: 'y' } });
    expect(() => parseStatement(input)).toThrow(XapiValidationError);
    try {
      parseStatement(input);
    } catch (error) {
      expect(error).toBeInstanceOf(XapiValidationError);
      const { errors, message } = error as XapiValidationError;
      expect(errors.map((e) => e.path)).toEqual(['verb.id', 'object.id']);
      expect(message).toBe(
        'invalid xAPI statement (2 errors): verb.id: must be an IRI with a scheme (found "x"); ' +
          'object.id: must be an IRI with a scheme (found "y")',
      );
    }
  });

  it('does not modify its input', () => {
    const input = withProps({
      context: { contextActivities: { parent: { id: 'https://learn.jlp.cq.cn/c' } } },
    });
    const before = JSON.stringify(input);
    parseStatement(input);
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe('validateStatements (batch)', () => {
  const id = '3f0c2a1e-8b7d-4c55-9a0e-5d2b7c1f4e61';

  it('accepts a single statement or an array, telling which it was', () => {
    expect(validateStatements(baseStatement())).toMatchObject({
      ok: true,
      wasArray: false,
      statements: [baseStatement()],
    });
    const result = validateStatements([baseStatement(), baseStatement()]);
    expect(result.ok && result.statements.length).toBe(2);
    expect(result.ok && result.wasArray).toBe(true);
  });

  it('reports errors with the statement index and an indexed path', () => {
    const result = validateStatements([
      baseStatement(),
      withProps({ verb: { id: 'x' } }),
      withProps({ id: 'y' }),
    ]);
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          index: 1,
          path: '[1].verb.id',
          rule: 'format.iri',
          message: '[1].verb.id: must be an IRI with a scheme (found "x")',
        },
        {
          index: 2,
          path: '[2].id',
          rule: 'format.uuid',
          message: '[2].id: must be a UUID in standard string form (found "y")',
        },
      ],
    });
  });

  it('rejects a batch that repeats a statement id (ids compared case-insensitively)', () => {
    const result = validateStatements([withProps({ id }), withProps({ id: id.toUpperCase() })]);
    expect(result.ok === false && result.errors).toEqual([
      {
        index: 1,
        path: '[1].id',
        rule: 'batch.duplicate-id',
        message: `[1].id: a batch must not repeat a statement id (found ${id.toUpperCase()}, also at [0])`,
      },
    ]);
  });

  it('throws XapiBatchValidationError from parseStatements', () => {
    expect(() => parseStatements([baseStatement(), {}])).toThrow(XapiBatchValidationError);
    expect(parseStatements([baseStatement()])).toHaveLength(1);
  });
});

describe('xapiVersionFromHeader', () => {
  it('maps 1.0.x to 1.0.3 and 2.0.x to 2.0.0', () => {
    expect(xapiVersionFromHeader('1.0.3')).toBe('1.0.3');
    expect(xapiVersionFromHeader('1.0.0')).toBe('1.0.3');
    expect(xapiVersionFromHeader('2.0.0')).toBe('2.0.0');
    expect(() => xapiVersionFromHeader('0.95')).toThrow(UnsupportedXapiVersionError);
  });
});
