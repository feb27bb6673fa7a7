import {
  type BatchValidationIssue,
  type ValidationIssue,
  XapiBatchValidationError,
  XapiValidationError,
  toValidationIssues,
} from './errors';
import { type Statement, statementSchemaFor } from './statement.schema';
import { DEFAULT_XAPI_VERSION, type XapiVersion } from './version';

export interface ValidateOptions {
  /** Rule set, from the request's X-Experience-API-Version (see xapiVersionFromHeader). Default 1.0.3. */
  version?: XapiVersion;
}

export type ValidationResult = { ok: true; statement: Statement } | { ok: false; errors: ValidationIssue[] };

export type BatchValidationResult =
  | {
      ok: true;
      statements: Statement[];
      /** Whether the input was an array (the Statement API answers with an array of ids then). */
      wasArray: boolean;
    }
  | { ok: false; errors: BatchValidationIssue[] };

function validateAt(input: unknown, version: XapiVersion, prefix: string): ValidationResult {
  const schema = statementSchemaFor(version);
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, statement: parsed.data };
  // Only failures pay for recording the offending values, which the messages quote ("found ...").
  const explained = schema.safeParse(input, { reportInput: true });
  return { ok: false, errors: toValidationIssues((explained.error ?? parsed.error).issues, prefix) };
}

/**
 * Validates one Statement against the xAPI Data rules and returns it normalised (contextActivities values as
 * arrays). Collects every error of the statement, each with its JSON path, rule id and readable message.
 */
export function validateStatement(input: unknown, options: ValidateOptions = {}): ValidationResult {
  return validateAt(input, options.version ?? DEFAULT_XAPI_VERSION, '');
}

/** Like validateStatement, but throws XapiValidationError (with `.errors`) when the statement is invalid. */
export function parseStatement(input: unknown, options: ValidateOptions = {}): Statement {
  const result = validateStatement(input, options);
  if (!result.ok) throw new XapiValidationError(result.errors);
  return result.statement;
}

/**
 * Validates a Statement API body: one Statement or an array of them. Errors carry the statement index and a path
 * starting with `[index]`. A batch repeating a statement id is rejected too (the LRS must reject such a batch).
 */
export function validateStatements(input: unknown, options: ValidateOptions = {}): BatchValidationResult {
  const version = options.version ?? DEFAULT_XAPI_VERSION;
  const wasArray = Array.isArray(input);
  const items: readonly unknown[] = wasArray ? (input as unknown[]) : [input];
  const statements: Statement[] = [];
  const errors: BatchValidationIssue[] = [];
  const firstIndexById = new Map<string, number>();
  items.forEach((item, index) => {
    const result = validateAt(item, version, wasArray ? `[${index}]` : '');
    if (!result.ok) {
      for (const error of result.errors) errors.push({ ...error, index });
      return;
    }
    statements.push(result.statement);
    const id = result.statement.id?.toLowerCase();
    if (id === undefined) return;
    const first = firstIndexById.get(id);
    if (first === undefined) {
      firstIndexById.set(id, index);
      return;
    }
    const path = wasArray ? `[${index}].id` : 'id';
    errors.push({
      index,
      path,
      rule: 'batch.duplicate-id',
      message: `${path}: a batch must not repeat a statement id (found ${result.statement.id}, also at [${first}])`,
    });
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, statements, wasArray };
}

/** Like validateStatements, but throws XapiBatchValidationError (with `.errors`, each with `index`). */
export function parseStatements(input: unknown, options: ValidateOptions = {}): Statement[] {
  const result = validateStatements(input, options);
  if (!result.ok) throw new XapiBatchValidationError(result.errors);
  return result.statements;
}
