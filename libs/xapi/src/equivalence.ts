import { normaliseMbox } from './actor-key';
import { durationForComparison } from './duration';
import type { Statement } from './statement.schema';
import { toUtcTimestamp } from './timestamp';

// Data 2.3.1 "Statement Comparison Requirements": differences that the immutability exceptions allow are ignored,
// every other difference counts. Used to decide whether a re-sent statement id is the same statement (204/200)
// or a conflict (409).
//
// Ignored: id, authority, stored, timestamp and version of the Statement (assigned by the LRS, 2.3.1.b1);
// Activity definitions (2.3.1.b2) and Verb display (2.3.1.b3); the time zone in which a SubStatement timestamp is
// written (2.3.1.b4); the order of Group members (2.3.1.b5); case where the value is case-insensitive (2.3.1.b7):
// the domain of an mbox, hex digits of mbox_sha1sum and sha2, UUIDs, language tags; duration precision beyond
// 0.01 s (4.6.s1.b5); a single contextActivities Activity versus an array of one (normalised on validation);
// an omitted objectType versus its default (Agent for actors, Activity for objects).
// Not ignored: everything else, including the order of arrays other than Group members, the Result duration
// otherwise compared as a string (2.3.1.b8), extensions, attachments metadata.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const LRS_ASSIGNED = new Set(['id', 'authority', 'stored', 'timestamp', 'version']);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lowerKeys(map: Json | undefined): Json | undefined {
  if (!isObject(map)) return map;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(map)) out[key.toLowerCase()] = value;
  return out;
}

function actor(value: Json | undefined): Json | undefined {
  if (!isObject(value)) return value;
  const out: JsonObject = { ...value };
  out.objectType = value.objectType ?? 'Agent';
  if (typeof value.mbox === 'string') out.mbox = normaliseMbox(value.mbox);
  if (typeof value.mbox_sha1sum === 'string') out.mbox_sha1sum = value.mbox_sha1sum.toLowerCase();
  if (Array.isArray(value.member)) {
    const members = value.member.map((m) => actor(m) as Json);
    out.member = members
      .map((m) => [stableStringify(m), m] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, m]) => m);
  }
  return out;
}

function activity(value: Json): Json {
  if (!isObject(value)) return value;
  return { objectType: 'Activity', id: value.id ?? null };
}

function statementRef(value: Json | undefined): Json | undefined {
  if (!isObject(value)) return value;
  return {
    objectType: 'StatementRef',
    id: typeof value.id === 'string' ? value.id.toLowerCase() : (value.id ?? null),
  };
}

function object(value: Json | undefined): Json | undefined {
  if (!isObject(value)) return value;
  switch (value.objectType ?? 'Activity') {
    case 'Activity':
      return activity(value);
    case 'Agent':
    case 'Group':
      return actor(value);
    case 'StatementRef':
      return statementRef(value);
    case 'SubStatement':
      return statementBody(value, true);
    default:
      return value;
  }
}

function context(value: Json | undefined): Json | undefined {
  if (!isObject(value)) return value;
  const out: JsonObject = { ...value };
  if (typeof value.registration === 'string') out.registration = value.registration.toLowerCase();
  if (value.instructor !== undefined) out.instructor = actor(value.instructor) ?? null;
  if (value.team !== undefined) out.team = actor(value.team) ?? null;
  if (typeof value.language === 'string') out.language = value.language.toLowerCase();
  if (value.statement !== undefined) out.statement = statementRef(value.statement) ?? null;
  if (isObject(value.contextActivities)) {
    const lists: JsonObject = {};
    for (const [key, list] of Object.entries(value.contextActivities)) {
      lists[key] = (Array.isArray(list) ? list : [list]).map(activity);
    }
    out.contextActivities = lists;
  }
  for (const key of ['contextAgents', 'contextGroups'] as const) {
    const list = value[key];
    if (Array.isArray(list)) {
      out[key] = list.map((entry) =>
        isObject(entry)
          ? {
              ...entry,
              ...(entry.agent ? { agent: actor(entry.agent) ?? null } : {}),
              ...(entry.group ? { group: actor(entry.group) ?? null } : {}),
            }
          : entry,
      );
    }
  }
  return out;
}

function result(value: Json | undefined): Json | undefined {
  if (!isObject(value)) return value;
  const out: JsonObject = { ...value };
  if (typeof value.duration === 'string') out.duration = durationForComparison(value.duration);
  return out;
}

function attachments(value: Json | undefined): Json | undefined {
  if (!Array.isArray(value)) return value;
  return value.map((a) => {
    if (!isObject(a)) return a;
    const out: JsonObject = { ...a };
    if (a.display !== undefined) out.display = lowerKeys(a.display) ?? null;
    if (a.description !== undefined) out.description = lowerKeys(a.description) ?? null;
    if (typeof a.sha2 === 'string') out.sha2 = a.sha2.toLowerCase();
    return out;
  });
}

function statementBody(value: JsonObject, isSubStatement: boolean): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (!isSubStatement && LRS_ASSIGNED.has(key)) continue;
    out[key] = v;
  }
  if (value.actor !== undefined) out.actor = actor(value.actor) ?? null;
  if (isObject(value.verb)) out.verb = { id: value.verb.id ?? null };
  if (value.object !== undefined) out.object = object(value.object) ?? null;
  if (value.result !== undefined) out.result = result(value.result) ?? null;
  if (value.context !== undefined) out.context = context(value.context) ?? null;
  if (value.attachments !== undefined) out.attachments = attachments(value.attachments) ?? null;
  if (isSubStatement && typeof value.timestamp === 'string') out.timestamp = toUtcTimestamp(value.timestamp);
  return out;
}

/** Key-order-independent JSON serialisation (object keys sorted, undefined dropped). */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => stableStringify(v === undefined ? null : v)).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The parts of a validated Statement that Statement comparison looks at, in canonical form. */
export function comparableStatement(statement: Statement): unknown {
  return statementBody(JSON.parse(JSON.stringify(statement)) as JsonObject, false);
}

function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path} (${a.length} versus ${b.length} items)`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const d = firstDifference(a[key], b[key], path === '' ? key : `${path}.${key}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return stableStringify(a) === stableStringify(b) ? undefined : path === '' ? 'statement' : path;
}

/**
 * Where two validated Statements differ under the Statement Comparison Requirements, as a JSON path
 * (e.g. `result.score.raw`), or undefined when they are the same statement.
 */
export function statementDifference(a: Statement, b: Statement): string | undefined {
  return firstDifference(comparableStatement(a), comparableStatement(b), '');
}

/** True when two validated Statements are the same under Data 2.3.1 (e.g. a harmless re-send of an id). */
export function statementsEquivalent(a: Statement, b: Statement): boolean {
  return statementDifference(a, b) === undefined;
}
