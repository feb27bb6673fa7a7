import type { z } from 'zod';
import { describeTypeAndValue, describeValue } from './formats';

/** One broken rule: where (JSON path), which rule (stable id), and a readable message that starts with the path. */
export interface ValidationIssue {
  path: string;
  rule: string;
  message: string;
}

/** A ValidationIssue of one statement in a batch; `path` starts with `[index]`. */
export interface BatchValidationIssue extends ValidationIssue {
  index: number;
}

export class XapiValidationError extends Error {
  constructor(readonly errors: readonly ValidationIssue[]) {
    super(
      errors.length === 1
        ? `invalid xAPI statement: ${errors[0].message}`
        : `invalid xAPI statement (${errors.length} errors): ${errors.map((e) => e.message).join('; ')}`,
    );
    this.name = 'XapiValidationError';
  }
}

export class XapiBatchValidationError extends Error {
  constructor(readonly errors: readonly BatchValidationIssue[]) {
    super(
      `invalid xAPI statement batch (${errors.length} error${errors.length === 1 ? '' : 's'}): ` +
        errors.map((e) => e.message).join('; '),
    );
    this.name = 'XapiBatchValidationError';
  }
}

export class UnsupportedXapiVersionError extends Error {
  constructor(readonly header: string) {
    super(`unsupported X-Experience-API-Version ${JSON.stringify(header)}: expected 1.0.x or 2.0.x`);
    this.name = 'UnsupportedXapiVersionError';
  }
}

/** Rule ids used in ValidationIssue.rule. Custom rules from the schemas use their own ids (e.g. 'agent.ifi'). */
export const GENERIC_RULES = {
  required: 'required',
  type: 'type',
  unknownProperty: 'unknown-property',
  value: 'value',
  objectType: 'object-type',
  range: 'range',
  format: 'format',
} as const;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? 'statement' : out;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function issue(path: string, rule: string, text: string): ValidationIssue {
  return { path, rule, message: `${path}: ${text}` };
}

function fromZodIssue(raw: z.core.$ZodIssue, prefix: string, out: ValidationIssue[]): void {
  const path = formatPath(raw.path, prefix);
  const input = (raw as { input?: unknown }).input;
  switch (raw.code) {
    case 'invalid_type': {
      if (raw.expected === 'never') {
        out.push(issue(path, 'substatement.forbidden-property', raw.message));
      } else if (input === undefined) {
        out.push(issue(path, GENERIC_RULES.required, 'is required'));
      } else {
        out.push(
          issue(
            path,
            GENERIC_RULES.type,
            `must be ${articled(raw.expected)} (found ${describeTypeAndValue(input)})`,
          ),
        );
      }
      return;
    }
    case 'unrecognized_keys':
      for (const key of raw.keys) {
        const keyPath = formatPath([...raw.path, key], prefix);
        out.push(
          issue(
            keyPath,
            GENERIC_RULES.unknownProperty,
            'is not a property the xAPI specification defines here',
          ),
        );
      }
      return;
    case 'invalid_union': {
      if (raw.discriminator !== undefined && raw.errors.length === 0) {
        const options = ('options' in raw ? raw.options : undefined) ?? [];
        const names = options.filter((o): o is string => typeof o === 'string');
        const found = (input as Record<string, unknown> | undefined)?.[raw.discriminator];
        // zod reports the issue at the discriminator already in some versions, at the object in others.
        const atDiscriminator = raw.path[raw.path.length - 1] === raw.discriminator;
        const discPath = formatPath(atDiscriminator ? raw.path : [...raw.path, raw.discriminator], prefix);
        out.push(
          issue(
            discPath,
            GENERIC_RULES.objectType,
            `must be one of ${names.join(', ')} (found ${describeValue(found)})`,
          ),
        );
        return;
      }
      out.push(issue(path, GENERIC_RULES.type, `does not match any allowed form (found ${typeName(input)})`));
      return;
    }
    case 'invalid_value': {
      const allowed = raw.values.map((v) => JSON.stringify(v)).join(', ');
      const text = raw.values.length === 1 ? `must be ${allowed}` : `must be one of ${allowed}`;
      out.push(issue(path, GENERIC_RULES.value, `${text} (found ${describeValue(input)})`));
      return;
    }
    case 'too_small': {
      const bound = `${raw.inclusive ? 'at least' : 'more than'} ${String(raw.minimum)}`;
      const text = raw.origin === 'array' ? `must have ${bound} item(s)` : `must be ${bound}`;
      out.push(issue(path, GENERIC_RULES.range, `${text} (found ${describeValue(input)})`));
      return;
    }
    case 'too_big': {
      const bound = `${raw.inclusive ? 'at most' : 'less than'} ${String(raw.maximum)}`;
      const text = raw.origin === 'array' ? `must have ${bound} item(s)` : `must be ${bound}`;
      out.push(issue(path, GENERIC_RULES.range, `${text} (found ${describeValue(input)})`));
      return;
    }
    case 'custom': {
      const rule = (raw.params as { rule?: string } | undefined)?.rule ?? 'custom';
      out.push(issue(path, rule, raw.message));
      return;
    }
    default:
      out.push(issue(path, GENERIC_RULES.format, `${raw.message} (found ${describeValue(input)})`));
  }
}

function articled(expected: string): string {
  if (expected === 'record') return 'an object';
  if (expected === 'tuple') return 'an array';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** Converts zod issues to ValidationIssues, in document order, optionally under a path prefix (e.g. `[3]`). */
export function toValidationIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const raw of issues) fromZodIssue(raw, prefix, out);
  return out;
}
