import Ajv from 'ajv';

import { SchemaConversionError, jsonSchemaFromDeclarations } from './grafana-schema';

const DECLARATIONS = `
export interface Root {
    /** required */
    name: string;
    size?: (number | null);
    kind?: Kind;
    mode?: Mode;
    fixed?: Mode.On;
    tags?: Array<string>;
    items?: Array<(Item | Other)>;
    extra?: Record<string, unknown>;
    nested?: {
        at: string;
    };
}
export type Kind = ('a' | 'b');
export declare enum Mode {
    On = "on",
    Off = "off"
}
export interface Item { id: number; }
export interface Other { flag: boolean; }
export interface Unused { x: string; }
export declare const defaultRoot: Partial<Root>;
`;

describe('jsonSchemaFromDeclarations', () => {
  const schema = jsonSchemaFromDeclarations(DECLARATIONS, 'Root');
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

  it('keeps only the types the root uses', () => {
    expect(Object.keys(schema.definitions as object).sort()).toEqual([
      'Item',
      'Kind',
      'Mode',
      'Other',
      'Root',
    ]);
  });

  it('accepts what the declarations allow', () => {
    expect(validate({ name: 'x' })).toBe(true);
    expect(
      validate({
        name: 'x',
        size: null,
        kind: 'b',
        mode: 'off',
        fixed: 'on',
        tags: ['t'],
        items: [{ id: 1 }, { flag: true }],
        extra: { anything: [1, { a: 2 }] },
        nested: { at: 'here' },
      }),
    ).toBe(true);
  });

  it.each([
    ['a missing required member', {}],
    ['a wrong type', { name: 1 }],
    ['a value outside a literal union', { name: 'x', kind: 'c' }],
    ['a value outside an enum', { name: 'x', mode: 'maybe' }],
    ['another member of the enum than the one named', { name: 'x', fixed: 'off' }],
    ['an item of neither union member', { name: 'x', items: [{ id: 'one' }] }],
    ['an unknown member', { name: 'x', colour: 'red' }],
    ['an unknown member of an inline object', { name: 'x', nested: { at: 'a', also: 1 } }],
  ])('refuses %s', (_what, value) => {
    expect(validate(value)).toBe(false);
  });

  it('throws on a construct it does not know rather than accept anything', () => {
    expect(() => jsonSchemaFromDeclarations('export interface R { f: () => void; }', 'R')).toThrow(
      SchemaConversionError,
    );
    expect(() => jsonSchemaFromDeclarations('export interface R { m: Missing; }', 'R')).toThrow(
      /not declared/,
    );
  });
});
