// Builders for unit tests of this library (not exported from the barrel).
import { type ValidateOptions, validateStatement } from './validate';

export type JsonObject = Record<string, unknown>;

export function baseStatement(): JsonObject {
  return {
    actor: { objectType: 'Agent', mbox: 'mailto:learner@example.cn' },
    verb: {
      id: 'http://adlnet.gov/expapi/verbs/attended',
      display: { 'zh-CN': '参加了', 'en-US': 'attended' },
    },
    object: { objectType: 'Activity', id: 'https://learn.jlp.cq.cn/xapi/activities/class/2024-05-11' },
  };
}

export function withProps(overrides: JsonObject): JsonObject {
  return { ...baseStatement(), ...overrides };
}

/** The error messages for a statement, or [] when it is valid. */
export function messagesOf(statement: unknown, options?: ValidateOptions): string[] {
  const result = validateStatement(statement, options);
  return result.ok ? [] : result.errors.map((e) => e.message);
}

/** The rule ids broken by a statement, or [] when it is valid. */
export function rulesOf(statement: unknown, options?: ValidateOptions): string[] {
  const result = validateStatement(statement, options);
  return result.ok ? [] : result.errors.map((e) => e.rule);
}
