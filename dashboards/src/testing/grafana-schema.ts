/**
 * Grafana's dashboard schema as a JSON Schema, from a package registry.
 *
 * Where the schema lives (checked 2026-11-28): the foundation SDK's GitHub repository has
 * jsonschema/dashboard.jsonschema.json, but no registry package ships it: not the SDK on npm
 * (@grafana/grafana-foundation-sdk 0.0.21: TypeScript only), not its PyPI wheel (grafana-foundation-sdk
 * 10.1.0: Python only), not Maven Central (com.grafana:grafana-foundation-sdk is not there), and not
 * @grafana/schema (TypeScript only). The most official machine-readable form a registry has is Grafana's own
 * schema package, @grafana/schema, whose `raw/dashboard/x/types.gen.d.ts` is generated from the dashboard
 * kind's CUE schema in Grafana's repository (the same source the SDK's JSON Schema is generated from). So the
 * test setup downloads that package with `npm pack` (pinned version, cached under .cache/) and turns its
 * declarations into a JSON Schema (draft-07) here: interfaces and inline object types become objects whose
 * non-optional members are required and whose unknown members are refused (stricter than a type checker's
 * structural typing), unions become anyOf or enum, enums their values, `Array<T>` arrays, `Record<string, T>`
 * maps, `unknown` anything.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import * as ts from 'typescript';

export const GRAFANA_SCHEMA_PACKAGE = '@grafana/schema';
/** Grafana 13.2's schema, the current release when this was written. */
export const GRAFANA_SCHEMA_VERSION = '13.2.3';
const DASHBOARD_TYPES = 'package/dist/types/raw/dashboard/x/types.gen.d.ts';

const REPO_ROOT = resolve(__dirname, '../../..');

/** Path of the dashboard declarations of @grafana/schema, downloaded once into .cache/. */
export function ensureGrafanaDashboardTypes(version = GRAFANA_SCHEMA_VERSION): string {
  const dir = join(REPO_ROOT, '.cache/grafana-schema', version);
  const file = join(dir, 'dashboard.types.gen.d.ts');
  if (existsSync(file)) return file;
  const work = mkdtempSync(join(tmpdir(), 'grafana-schema-'));
  try {
    // npm checks the tarball against the registry's integrity hash.
    const packed = JSON.parse(
      execFileSync(
        'npm',
        ['pack', `${GRAFANA_SCHEMA_PACKAGE}@${version}`, '--json', '--pack-destination', work],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 120_000,
        },
      ),
    ) as { filename: string }[];
    execFileSync('tar', ['-xzf', join(work, packed[0].filename), '-C', work, DASHBOARD_TYPES]);
    mkdirSync(dir, { recursive: true });
    // Rename last, so a half-written file is never taken for the cached one.
    renameSync(join(work, DASHBOARD_TYPES), file);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return file;
}

export type JsonSchema = { [key: string]: unknown };

export class SchemaConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaConversionError';
  }
}

/** A JSON Schema (draft-07) for `rootType` and every type it uses, from TypeScript declarations. */
export function jsonSchemaFromDeclarations(source: string, rootType: string): JsonSchema {
  const file = ts.createSourceFile('types.d.ts', source, ts.ScriptTarget.ES2022, true);
  const declarations = new Map<string, ts.Node>();
  for (const statement of file.statements) {
    if (
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      ts.isEnumDeclaration(statement)
    ) {
      declarations.set(statement.name.text, statement);
    }
  }
  const definitions: Record<string, JsonSchema> = {};
  const pending = [rootType];
  const queued = new Set(pending);
  const reference = (name: string): JsonSchema => {
    if (!declarations.has(name)) throw new SchemaConversionError(`type ${name} is not declared`);
    if (!queued.has(name)) {
      queued.add(name);
      pending.push(name);
    }
    return { $ref: `#/definitions/${name}` };
  };

  const members = (nodes: ts.NodeArray<ts.TypeElement>): JsonSchema => {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const member of nodes) {
      if (!ts.isPropertySignature(member) || member.type === undefined) {
        throw new SchemaConversionError(`unsupported member ${member.getText()}`);
      }
      const name = ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) ? member.name.text : '';
      if (name === '') throw new SchemaConversionError(`unsupported member name ${member.name.getText()}`);
      properties[name] = convert(member.type);
      if (member.questionToken === undefined) required.push(name);
    }
    return {
      type: 'object',
      properties,
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: false,
    };
  };

  const convert = (node: ts.TypeNode): JsonSchema => {
    if (ts.isParenthesizedTypeNode(node)) return convert(node.type);
    if (ts.isTypeLiteralNode(node)) return members(node.members);
    if (ts.isArrayTypeNode(node)) return { type: 'array', items: convert(node.elementType) };
    if (ts.isUnionTypeNode(node)) {
      const parts = node.types.map(convert);
      const constants = parts.map((p) => p.const);
      if (parts.every((p) => Object.keys(p).length === 1 && 'const' in p)) return { enum: constants };
      return { anyOf: parts };
    }
    if (ts.isLiteralTypeNode(node)) {
      const literal = node.literal;
      if (ts.isStringLiteral(literal)) return { const: literal.text };
      if (ts.isNumericLiteral(literal)) return { const: Number(literal.text) };
      if (literal.kind === ts.SyntaxKind.TrueKeyword) return { const: true };
      if (literal.kind === ts.SyntaxKind.FalseKeyword) return { const: false };
      if (literal.kind === ts.SyntaxKind.NullKeyword) return { type: 'null' };
    }
    if (ts.isTypeReferenceNode(node)) {
      const name = node.typeName.getText();
      const args = node.typeArguments ?? ts.factory.createNodeArray<ts.TypeNode>();
      if (name === 'Array' && args.length === 1) return { type: 'array', items: convert(args[0]) };
      if (name === 'Record' && args.length === 2 && args[0].kind === ts.SyntaxKind.StringKeyword) {
        return { type: 'object', additionalProperties: convert(args[1]) };
      }
      if (ts.isQualifiedName(node.typeName) && args.length === 0) {
        // `Enum.Member`: that member's value.
        const owner = declarations.get(node.typeName.left.getText());
        const member =
          owner !== undefined && ts.isEnumDeclaration(owner)
            ? owner.members.find((m) => m.name.getText() === node.typeName.getText().split('.')[1])
            : undefined;
        if (member === undefined) throw new SchemaConversionError(`type ${name} is not declared`);
        return { const: enumValues(owner as ts.EnumDeclaration, [member]).enum[0] };
      }
      if (args.length === 0) return reference(name);
    }
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.NumberKeyword:
        return { type: 'number' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.NullKeyword:
        return { type: 'null' };
      case ts.SyntaxKind.UnknownKeyword:
      case ts.SyntaxKind.AnyKeyword:
        return {};
    }
    throw new SchemaConversionError(`unsupported type ${node.getText()}`);
  };

  function enumValues(
    node: ts.EnumDeclaration,
    of: readonly ts.EnumMember[] = node.members,
  ): { enum: (string | number)[] } {
    const values = of.map((member) => {
      const init = member.initializer;
      if (init !== undefined && ts.isStringLiteral(init)) return init.text;
      if (init !== undefined && ts.isNumericLiteral(init)) return Number(init.text);
      throw new SchemaConversionError(
        `enum ${node.name.text}: member ${member.name.getText()} has no literal value`,
      );
    });
    return { enum: values };
  }

  while (pending.length > 0) {
    const name = pending.shift()!;
    const node = declarations.get(name)!;
    if (ts.isInterfaceDeclaration(node)) {
      if (node.heritageClauses !== undefined)
        throw new SchemaConversionError(`${name}: extends is not supported`);
      definitions[name] = members(node.members);
    } else if (ts.isTypeAliasDeclaration(node)) definitions[name] = convert(node.type);
    else definitions[name] = enumValues(node as ts.EnumDeclaration);
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $comment: `generated from ${GRAFANA_SCHEMA_PACKAGE} declarations`,
    $ref: `#/definitions/${rootType}`,
    definitions,
  };
}

/** Grafana's dashboard JSON Schema (the classic JSON model, schemaVersion 39+), downloaded and converted. */
export function grafanaDashboardJsonSchema(version = GRAFANA_SCHEMA_VERSION): JsonSchema {
  return jsonSchemaFromDeclarations(readFileSync(ensureGrafanaDashboardTypes(version), 'utf8'), 'Dashboard');
}
