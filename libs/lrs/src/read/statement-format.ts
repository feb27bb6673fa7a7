import type { StatementFormat } from './statement-params';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface LanguagePreference {
  /** Lower case language range, or `*`. */
  readonly range: string;
  readonly quality: number;
}

/** Accept-Language (RFC 2616 14.4) as ranges by descending quality; ranges with q=0 are dropped. */
export function parseAcceptLanguage(header: string | undefined): LanguagePreference[] {
  if (header === undefined) return [];
  const preferences: (LanguagePreference & { order: number })[] = [];
  header.split(',').forEach((part, order) => {
    const [rangePart, ...params] = part.trim().split(';');
    const range = rangePart.trim().toLowerCase();
    if (!/^(\*|[a-z0-9]{1,8}(-[a-z0-9]{1,8})*)$/.test(range)) return;
    let quality = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(param);
      if (match) quality = Number(match[1]);
    }
    if (quality > 0) preferences.push({ range, quality, order });
  });
  preferences.sort((a, b) => b.quality - a.quality || a.order - b.order);
  return preferences.map(({ range, quality }) => ({ range, quality }));
}

/**
 * The one entry of a language map the client prefers (Communication 2.1.3.s4.b5): the first preference
 * that equals a tag or is a prefix of it followed by `-`; `*` takes any; else the map's first entry, since
 * canonical format returns exactly one language per map.
 */
export function pickLanguage(map: Json, preferences: readonly LanguagePreference[]): Json {
  const tags = Object.keys(map);
  if (tags.length <= 1) return map;
  for (const { range } of preferences) {
    const tag =
      range === '*'
        ? tags[0]
        : (tags.find((t) => t.toLowerCase() === range) ??
          tags.find((t) => t.toLowerCase().startsWith(`${range}-`)));
    if (tag !== undefined) return { [tag]: map[tag] };
  }
  return { [tags[0]]: map[tags[0]] };
}

const INTERACTION_COMPONENT_LISTS = ['choices', 'scale', 'source', 'target', 'steps'] as const;

function canonicalActivity(activity: unknown, preferences: readonly LanguagePreference[]): unknown {
  if (!isObject(activity) || !isObject(activity.definition)) return activity;
  const definition: Json = { ...activity.definition };
  for (const key of ['name', 'description']) {
    if (isObject(definition[key])) definition[key] = pickLanguage(definition[key] as Json, preferences);
  }
  for (const list of INTERACTION_COMPONENT_LISTS) {
    const components = definition[list];
    if (Array.isArray(components)) {
      definition[list] = components.map((component: unknown) =>
        isObject(component) && isObject(component.description)
          ? { ...component, description: pickLanguage(component.description, preferences) }
          : component,
      );
    }
  }
  return { ...activity, definition };
}

function idsActor(actor: unknown): unknown {
  if (!isObject(actor)) return actor;
  const out: Json = {};
  if (actor.objectType !== undefined) out.objectType = actor.objectType;
  for (const ifi of ['mbox', 'mbox_sha1sum', 'openid', 'account']) {
    if (actor[ifi] !== undefined) {
      out[ifi] = actor[ifi];
      return out;
    }
  }
  // An anonymous Group is identified by its members.
  if (Array.isArray(actor.member)) out.member = actor.member.map(idsActor);
  return out;
}

/** The id alone: it identifies an Activity (the conformance suite expects no objectType either). */
function idsActivity(activity: unknown): unknown {
  return isObject(activity) ? { id: activity.id } : activity;
}

interface PartFormatter {
  actor(value: unknown): unknown;
  activity(value: unknown): unknown;
  verb(value: unknown): unknown;
}

function mapContext(context: unknown, f: PartFormatter): unknown {
  if (!isObject(context)) return context;
  const out: Json = { ...context };
  if (out.instructor !== undefined) out.instructor = f.actor(out.instructor);
  if (out.team !== undefined) out.team = f.actor(out.team);
  if (isObject(out.contextActivities)) {
    const activities: Json = {};
    for (const [kind, list] of Object.entries(out.contextActivities)) {
      activities[kind] = Array.isArray(list) ? list.map((a) => f.activity(a)) : f.activity(list);
    }
    out.contextActivities = activities;
  }
  if (Array.isArray(out.contextAgents)) {
    out.contextAgents = out.contextAgents.map((e: unknown) =>
      isObject(e) ? { ...e, agent: f.actor(e.agent) } : e,
    );
  }
  if (Array.isArray(out.contextGroups)) {
    out.contextGroups = out.contextGroups.map((e: unknown) =>
      isObject(e) ? { ...e, group: f.actor(e.group) } : e,
    );
  }
  return out;
}

function mapObject(object: unknown, f: PartFormatter): unknown {
  if (!isObject(object)) return object;
  switch (object.objectType) {
    case 'Agent':
    case 'Group':
      return f.actor(object);
    case 'StatementRef':
      return object;
    case 'SubStatement':
      return mapStatementParts(object, f);
    default:
      return f.activity(object);
  }
}

function mapStatementParts(statement: Json, f: PartFormatter): Json {
  const out: Json = { ...statement };
  if (out.actor !== undefined) out.actor = f.actor(out.actor);
  if (out.verb !== undefined) out.verb = f.verb(out.verb);
  if (out.object !== undefined) out.object = mapObject(out.object, f);
  if (out.authority !== undefined) out.authority = f.actor(out.authority);
  if (out.context !== undefined) out.context = mapContext(out.context, f);
  return out;
}

/**
 * A stored statement in the requested format (Communication 2.1.3 `format`): `exact` as stored; `ids`
 * with Agents, Groups, Activities and Verbs reduced to what identifies them; `canonical` with one language
 * per Activity and Verb language map, chosen by Accept-Language (the LRS keeps no other canonical
 * definition than the statement's own).
 */
export function formatStatement(
  statement: Json,
  format: StatementFormat,
  preferences: readonly LanguagePreference[],
): Json {
  if (format === 'exact') return statement;
  if (format === 'ids') {
    return mapStatementParts(statement, {
      actor: idsActor,
      activity: idsActivity,
      verb: (verb) => (isObject(verb) ? { id: verb.id } : verb),
    });
  }
  return mapStatementParts(statement, {
    actor: (actor) => actor,
    activity: (activity) => canonicalActivity(activity, preferences),
    verb: (verb) =>
      isObject(verb) && isObject(verb.display)
        ? { ...verb, display: pickLanguage(verb.display, preferences) }
        : verb,
  });
}
