import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { ChdbWarehouse } from './chdb-warehouse';
import { runMigrations } from './migration-runner';
import {
  findActivityDefinitions,
  findStatementById,
  queryStatementPage,
  type StatementFilter,
  type StoredStatementRow,
} from './statement-query';
import { statementRelationColumns } from './statement-relations';
import { toClickHouseDateTime64 } from './statement-row';
import { StatementRowWriter } from './statement-store';
import { statementRowFixture } from './testing/statement-row.fixture';

// The read side's SQL on the real engine (chdb): filters, StatementRef matching, voiding and paging.
const dataDir = mkdtempSync(path.join(tmpdir(), 'statement-query-chdb-'));
let warehouse: ChdbWarehouse;
let writer: StatementRowWriter;

beforeAll(async () => {
  warehouse = new ChdbWarehouse(dataDir);
  await runMigrations(warehouse);
  writer = new StatementRowWriter(warehouse);
});

afterAll(async () => {
  await warehouse?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';
const AUTHORITY = {
  objectType: 'Agent',
  account: { homePage: 'https://lrs.example/credentials', name: 'app' },
};
type Json = Record<string, unknown>;

let clock = Date.parse('2026-03-01T00:00:00.000Z');
/** Each statement is stored one millisecond after the previous one, unless a test sets `stored`. */
function nextStored(): string {
  clock += 1;
  return new Date(clock).toISOString();
}

/** A stored statement in a fresh namespace of ids, agents and activities per test (`ns`). */
function statement(ns: string, parts: Json = {}): Json {
  return {
    id: randomUUID(),
    actor: { objectType: 'Agent', mbox: `mailto:${ns}-learner@example.org` },
    verb: { id: `https://verbs.example/${ns}/completed` },
    object: { objectType: 'Activity', id: `https://activities.example/${ns}/module-1` },
    authority: AUTHORITY,
    stored: nextStored(),
    ...parts,
  };
}

async function store(...statements: Json[]): Promise<void> {
  const rows = statements.map((s) => {
    const object = s.object as Json;
    const isVoiding = (s.verb as Json).id === VOIDED && object.objectType === 'StatementRef';
    const stored = toClickHouseDateTime64(String(s.stored));
    return statementRowFixture({
      id: String(s.id),
      verb_id: String((s.verb as Json).id),
      object_type: (object.objectType ?? 'Activity') as 'Activity',
      object_id: String(object.id ?? '(substatement)'),
      registration: ((s.context as Json | undefined)?.registration as string | undefined) ?? null,
      voiding_target: isVoiding ? String(object.id).toLowerCase() : null,
      stored,
      timestamp: stored,
      row_version: stored,
      raw: JSON.stringify(s),
      ...statementRelationColumns(s),
    });
  });
  const result = await writer.writeNewStatements(rows);
  expect(result.rejected).toEqual([]);
}

async function ids(filter: StatementFilter, ascending = false): Promise<string[]> {
  const page = await queryStatementPage(warehouse, { filter, ascending, limit: 100 });
  return page.rows.map((r) => r.id);
}

const idOf = (s: Json): string => String(s.id);
const agentKey = (ns: string, who = 'learner'): string => `mbox:mailto:${ns}-${who}@example.org`;

describe('queryStatementPage on chdb', () => {
  it('filters by agent as actor or object, and by a Group member', async () => {
    const ns = 'agent';
    const asActor = statement(ns);
    const asObject = statement(ns, {
      actor: { mbox: `mailto:${ns}-teacher@example.org` },
      object: { objectType: 'Agent', mbox: `mailto:${ns}-learner@example.org` },
    });
    const inGroup = statement(ns, {
      actor: {
        objectType: 'Group',
        name: 'team',
        member: [{ mbox: `mailto:${ns}-learner@example.org` }, { mbox: `mailto:${ns}-other@example.org` }],
      },
    });
    const other = statement(ns, { actor: { mbox: `mailto:${ns}-other2@example.org` } });
    await store(asActor, asObject, inGroup, other);
    expect(await ids({ agentKey: agentKey(ns) })).toEqual([idOf(inGroup), idOf(asObject), idOf(asActor)]);
  });

  it('filters by verb, activity (object only unless related_activities) and registration', async () => {
    const ns = 'var';
    const registration = randomUUID();
    const module = `https://activities.example/${ns}/module-1`;
    const direct = statement(ns, { context: { registration } });
    const asParent = statement(ns, {
      object: { id: `https://activities.example/${ns}/lesson-2` },
      context: { contextActivities: { parent: [{ id: module }] } },
    });
    const inSub = statement(ns, {
      object: {
        objectType: 'SubStatement',
        actor: { mbox: `mailto:${ns}-learner@example.org` },
        verb: { id: 'https://verbs.example/will-complete' },
        object: { id: module },
      },
    });
    const otherVerb = statement(ns, { verb: { id: `https://verbs.example/${ns}/attempted` } });
    await store(direct, asParent, inSub, otherVerb);
    expect(await ids({ verbId: `https://verbs.example/${ns}/completed` })).toEqual(
      [direct, asParent, inSub].map(idOf).reverse(),
    );
    expect(await ids({ activityId: module })).toEqual([otherVerb, direct].map(idOf));
    expect(await ids({ activityId: module, relatedActivities: true })).toEqual(
      [otherVerb, inSub, asParent, direct].map(idOf),
    );
    expect(await ids({ registration })).toEqual([idOf(direct)]);
  });

  it('related_agents matches authority, instructor, team and SubStatement agents; agent alone does not', async () => {
    const ns = 'related';
    const teacher = { mbox: `mailto:${ns}-teacher@example.org` };
    const asInstructor = statement(ns, { context: { instructor: teacher } });
    const inTeam = statement(ns, { context: { team: { objectType: 'Group', member: [teacher] } } });
    const asAuthority = statement(ns, { authority: { objectType: 'Agent', ...teacher } });
    const inSub = statement(ns, {
      object: {
        objectType: 'SubStatement',
        actor: teacher,
        verb: { id: 'https://verbs.example/will-teach' },
        object: { id: 'https://activities.example/x' },
      },
    });
    await store(asInstructor, inTeam, asAuthority, inSub);
    const key = agentKey(ns, 'teacher');
    expect(await ids({ agentKey: key })).toEqual([]);
    expect(await ids({ agentKey: key, relatedAgents: true })).toEqual(
      [inSub, asAuthority, inTeam, asInstructor].map(idOf),
    );
  });

  it('applies since (exclusive) and until (inclusive) to stored, and orders ascending on request', async () => {
    const ns = 'time';
    const [a, b, c] = [statement(ns), statement(ns), statement(ns)];
    await store(a, b, c);
    const verbId = `https://verbs.example/${ns}/completed`;
    expect(
      await ids({
        verbId,
        storedAfter: toClickHouseDateTime64(String(a.stored)),
        storedAtMost: toClickHouseDateTime64(String(c.stored)),
      }),
    ).toEqual([idOf(c), idOf(b)]);
    expect(await ids({ verbId, storedAtMost: toClickHouseDateTime64(String(b.stored)) }, true)).toEqual([
      idOf(a),
      idOf(b),
    ]);
  });

  describe('voiding', () => {
    const ns = 'void';
    const module = `https://activities.example/${ns}/module-1`;
    const target = statement(ns);
    const voiding = statement(ns, {
      actor: { mbox: `mailto:${ns}-admin@example.org` },
      verb: { id: VOIDED },
      object: { objectType: 'StatementRef', id: String(target.id).toUpperCase() },
    });
    const referring = statement(ns, {
      actor: { mbox: `mailto:${ns}-admin@example.org` },
      verb: { id: 'https://verbs.example/confirmed' },
      object: { objectType: 'StatementRef', id: target.id },
    });
    const referringTwice = statement(ns, {
      actor: { mbox: `mailto:${ns}-admin@example.org` },
      verb: { id: 'https://verbs.example/noted' },
      object: { objectType: 'StatementRef', id: referring.id },
    });

    beforeAll(() => store(target, voiding, referring, referringTwice));

    it('leaves the voided statement out of queries, keeps the voiding one and those referring to the target', async () => {
      expect(await ids({ activityId: module })).toEqual([referringTwice, referring, voiding].map(idOf));
      expect(await ids({ agentKey: agentKey(ns) })).toEqual([referringTwice, referring, voiding].map(idOf));
      // The verb of the target, too, is matched through StatementRefs (Communication 2.1.3.s3).
      expect(await ids({ verbId: `https://verbs.example/${ns}/completed` })).toEqual(
        [referringTwice, referring, voiding].map(idOf),
      );
      expect(await ids({ verbId: 'https://verbs.example/confirmed' })).toEqual(
        [referringTwice, referring].map(idOf),
      );
    });

    it('finds the voided statement by id, marked voided; the voiding statement is not voided', async () => {
      const voided = await findStatementById(warehouse, String(target.id).toUpperCase());
      expect(voided).toMatchObject({ id: target.id, voided: true });
      expect(JSON.parse((voided as StoredStatementRow).raw)).toEqual(target);
      expect(await findStatementById(warehouse, idOf(voiding))).toMatchObject({ voided: false });
      expect(await findStatementById(warehouse, randomUUID())).toBeUndefined();
    });
  });

  it('pages in (stored, id) order with a pinned upper bound: statements arriving meanwhile change nothing', async () => {
    const ns = 'paging';
    const sameStored = nextStored();
    const original = [
      statement(ns),
      statement(ns, { stored: sameStored }),
      statement(ns, { stored: sameStored }),
    ];
    original.push(statement(ns), statement(ns));
    await store(...original);
    const verbId = `https://verbs.example/${ns}/completed`;
    const pinned = toClickHouseDateTime64(String(original.at(-1)?.stored));
    for (const ascending of [false, true]) {
      const seen: string[] = [];
      let after: { stored: string; id: string } | undefined;
      for (;;) {
        const page = await queryStatementPage(warehouse, {
          filter: { verbId, storedAtMost: pinned },
          ascending,
          limit: 2,
          after,
        });
        seen.push(...page.rows.map((r) => r.id));
        // A writer keeps going between pages.
        await store(statement(ns));
        if (!page.more) break;
        const last = page.rows[page.rows.length - 1];
        after = { stored: last.stored, id: last.id };
      }
      expect(seen).toHaveLength(original.length);
      expect(new Set(seen)).toEqual(new Set(original.map(idOf)));
      const storedOf = new Map(original.map((s) => [idOf(s), Date.parse(String(s.stored))]));
      const times = seen.map((id) => storedOf.get(id) as number);
      expect(times).toEqual([...times].sort((x, y) => (ascending ? x - y : y - x)));
    }
  });
});

describe('findActivityDefinitions', () => {
  it('answers the distinct definitions of an Activity, oldest first, from the view and from recent statements', async () => {
    const activityId = `https://jlp.example/courses/${randomUUID()}`;
    const row = (stored: string, definition: Json | undefined) => {
      const id = randomUUID();
      return statementRowFixture({
        id,
        object_id: activityId,
        stored,
        raw: JSON.stringify({ id, object: { id: activityId, ...(definition && { definition }) } }),
      });
    };
    const old = { name: { 'zh-CN': '智能手机入门' } };
    const newer = { name: { 'en-US': 'Smartphone basics' } };
    await writer.writeNewStatements([
      row('2024-03-01 00:00:00.000000', old),
      row('2024-03-02 00:00:00.000000', newer),
      row('2024-03-03 00:00:00.000000', old), // seen again: now the latest
      row('2024-03-04 00:00:00.000000', undefined),
    ]);
    expect((await findActivityDefinitions(warehouse, activityId)).map((d) => JSON.parse(d))).toEqual([
      newer,
      old,
    ]);

    // Kept by the view: the same answer with the raw statements gone.
    await warehouse.command('DELETE FROM statements WHERE object_id = {activityId:String}', { activityId });
    expect((await findActivityDefinitions(warehouse, activityId)).map((d) => JSON.parse(d))).toEqual([
      newer,
      old,
    ]);
    expect(await findActivityDefinitions(warehouse, `${activityId}/other`)).toEqual([]);

    // A statement stored a moment ago counts even before the view's part is visible (here: removed).
    const justNow = { name: { 'zh-CN': '刚刚' } };
    await writer.writeNewStatements([row(toClickHouseDateTime64(new Date().toISOString()), justNow)]);
    await warehouse.command(
      'ALTER TABLE activity_definitions DELETE WHERE activity_id = {activityId:String}',
      {
        activityId,
      },
    );
    expect((await findActivityDefinitions(warehouse, activityId)).map((d) => JSON.parse(d))).toEqual([
      justNow,
    ]);
  });
});
