import type { Statement } from '@app/xapi';
import {
  enrichableStatementSchema,
  enrichStatement,
  LEARNING_POINT_ACTIVITY_PREFIX,
  LEARNING_POINT_EXTENSION,
  type EnrichableStatement,
  type EnrichmentInput,
} from './enrich-statement';
import { EnrichmentSchema, type Enrichment } from './enrichment.schema';
import { EnrichmentError } from './errors';
import { LearnerDirectory } from './learner-directory';
import { learner, MODULE, referenceIndex, VERBS } from './test-fixtures';

const reference = referenceIndex();
const WANG = 'mbox:mailto:wang@example.cn';
const STRANGER = 'mbox:mailto:stranger@example.cn';
// Wang: born 1956, female, home town T01 (金凤镇, west), home point LP002.
const learners = LearnerDirectory.from([
  learner({ id: 'L000001', identities: [WANG] }),
  learner({
    id: 'L000002',
    identities: ['account:https://portal.example|li'],
    birthYear: 2001,
    gender: 'male',
    homeTownId: 'T02',
    homeLearningPointId: null,
  }),
]);
const deps = { reference, learners };

function statement(overrides: Partial<EnrichableStatement> = {}): EnrichableStatement {
  return {
    verb: { id: `${VERBS}/completed` },
    object: { objectType: 'Activity', id: `${MODULE}/3` },
    timestamp: '2026-05-01T10:00:00+08:00',
    ...overrides,
  };
}

function enrich(
  overrides: Partial<EnrichableStatement> = {},
  actorKey: string | null = WANG,
  boundLearningPointId?: string,
): Enrichment {
  const input: EnrichmentInput = {
    statement: statement(overrides),
    actorKey,
    source: {
      type: boundLearningPointId ? 'kiosk' : 'portal',
      credentialKey: 'cred-1',
      boundLearningPointId,
    },
  };
  return EnrichmentSchema.parse(enrichStatement(input, deps));
}

function enrichmentError(run: () => unknown): EnrichmentError {
  try {
    run();
  } catch (error) {
    if (error instanceof EnrichmentError) return error;
    throw error;
  }
  throw new Error('expected an EnrichmentError');
}

const pointExtension = (value: unknown) => ({ extensions: { [LEARNING_POINT_EXTENSION]: value } });
const pointActivity = (id: string) => ({
  objectType: 'Activity',
  id: `${LEARNING_POINT_ACTIVITY_PREFIX}${id}`,
});

describe('enrichStatement', () => {
  describe('learning point precedence', () => {
    it('takes the point named by the context extension first, over the credential and the home point', () => {
      // LP009 lies in T02 (石桥铺街道, east); the kiosk is bound to LP174 (T19), Wang's home is LP002 (T01).
      expect(enrich({ context: pointExtension('LP009') }, WANG, 'LP174')).toMatchObject({
        learningPointId: 'LP009',
        schoolId: 'S02',
        townId: 'T02',
        region: 'east',
        attribution: 'context',
      });
    });

    it('accepts the point activity IRI in the extension too', () => {
      const value = `${LEARNING_POINT_ACTIVITY_PREFIX}LP009`;
      expect(enrich({ context: pointExtension(value) })).toMatchObject({
        learningPointId: 'LP009',
        attribution: 'context',
      });
    });

    it('takes a learning-point activity in contextActivities.grouping or .other', () => {
      expect(
        enrich({ context: { contextActivities: { grouping: [pointActivity('LP010')] } } }, WANG, 'LP174'),
      ).toMatchObject({ learningPointId: 'LP010', townId: 'T02', attribution: 'context' });
      expect(
        enrich({
          context: { contextActivities: { other: { id: `${LEARNING_POINT_ACTIVITY_PREFIX}LP011/?via=qr` } } },
        }),
      ).toMatchObject({ learningPointId: 'LP011', attribution: 'context' });
    });

    it('accepts the extension and an activity that agree, and refuses two different points', () => {
      const agree = { ...pointExtension('LP009'), contextActivities: { grouping: [pointActivity('LP009')] } };
      expect(enrich({ context: agree }).learningPointId).toBe('LP009');
      const disagree = { ...pointExtension('LP009'), contextActivities: { other: [pointActivity('LP010')] } };
      expect(enrichmentError(() => enrich({ context: disagree }))).toMatchObject({
        code: 'conflicting-learning-points',
        permanent: true,
        details: { first: 'LP009', second: 'LP010' },
      });
    });

    it("uses the credential's bound point when the statement names none, over the home point", () => {
      expect(enrich({}, WANG, 'LP174')).toMatchObject({
        learningPointId: 'LP174',
        townId: 'T19',
        region: 'west',
        attribution: 'credential',
      });
    });

    it("falls back to the learner's home point", () => {
      expect(enrich({}, WANG)).toMatchObject({
        learningPointId: 'LP002',
        schoolId: 'S01',
        townId: 'T01',
        region: 'west',
        attribution: 'home',
      });
    });

    it('is unattributed when no rule finds a point', () => {
      const unattributed = {
        learningPointId: 'unattributed',
        schoolId: null,
        townId: null,
        region: 'unknown',
        attribution: 'unattributed',
      };
      expect(enrich({}, STRANGER)).toMatchObject(unattributed);
      // Li is known but has no home point: still unattributed, with his demographics.
      expect(enrich({}, 'account:https://portal.example|li')).toMatchObject({
        ...unattributed,
        learnerId: 'L000002',
        homeTownId: 'T02',
      });
    });

    it('does not guess when the statement names an unknown point: a permanent error, not the credential point', () => {
      const error = enrichmentError(() => enrich({ context: pointExtension('LP999') }, WANG, 'LP174'));
      expect(error).toMatchObject({
        code: 'unknown-learning-point',
        permanent: true,
        details: { pointId: 'LP999', origin: 'context-extension' },
      });
      expect(error.message).toBe(
        'learning point "LP999" (from context-extension) is not in the reference data',
      );
      expect(
        enrichmentError(() =>
          enrich({ context: { contextActivities: { grouping: [pointActivity('LP000')] } } }),
        ).details,
      ).toEqual({ pointId: 'LP000', origin: 'context-activity' });
    });

    it('refuses an unknown credential point as well', () => {
      expect(enrichmentError(() => enrich({}, WANG, 'LP777')).details).toEqual({
        pointId: 'LP777',
        origin: 'credential',
      });
    });

    it('refuses an extension value that is not a point id', () => {
      for (const value of [9, { id: 'LP001' }, '', `${LEARNING_POINT_ACTIVITY_PREFIX}LP001/room/2`]) {
        expect(enrichmentError(() => enrich({ context: pointExtension(value) })).code).toBe(
          'invalid-learning-point',
        );
      }
    });
  });

  describe('learner and demographics', () => {
    it('adds the registry demographics of a known learner', () => {
      expect(enrich({}, WANG)).toMatchObject({
        learnerId: 'L000001',
        learnerKnown: true,
        ageBand: '70-79',
        gender: 'female',
        homeTownId: 'T01',
      });
    });

    it('keeps an unknown learner, with unknown demographics', () => {
      for (const actorKey of [STRANGER, null]) {
        expect(enrich({}, actorKey, 'LP009')).toMatchObject({
          learnerId: null,
          learnerKnown: false,
          ageBand: 'unknown',
          gender: 'unknown',
          homeTownId: null,
          learningPointId: 'LP009',
        });
      }
    });

    it("computes the age band in the statement's year, not today's (born 1956: 60-69 in 2025, 70-79 in 2026)", () => {
      expect(enrich({ timestamp: '2025-06-01T10:00:00+08:00' }).ageBand).toBe('60-69');
      expect(enrich({ timestamp: '2026-06-01T10:00:00+08:00' }).ageBand).toBe('70-79');
      // New Year in China (UTC+8) comes eight hours before New Year in UTC.
      expect(enrich({ timestamp: '2025-12-31T15:59:59Z' }).ageBand).toBe('60-69');
      expect(enrich({ timestamp: '2025-12-31T16:00:00Z' }).ageBand).toBe('70-79');
    });

    it('uses stored when the statement has no timestamp, else the injected clock', () => {
      const withStored: EnrichableStatement = {
        ...statement(),
        timestamp: undefined,
        stored: '2025-03-01T00:00:00Z',
      };
      expect(
        enrichStatement(
          { statement: withStored, actorKey: WANG, source: { type: 'app', credentialKey: 'c' } },
          deps,
        ).ageBand,
      ).toBe('60-69');
      const bare: EnrichableStatement = { ...statement(), timestamp: undefined };
      const at = (now: Date) =>
        enrichStatement(
          { statement: bare, actorKey: WANG, source: { type: 'app', credentialKey: 'c' } },
          { ...deps, now },
        ).ageBand;
      expect([at(new Date('2025-07-01T00:00:00Z')), at(new Date('2036-07-01T00:00:00Z'))]).toEqual([
        '60-69',
        '80+',
      ]);
    });

    it('refuses a statement dated before the learner was born', () => {
      // Li was born in 2001.
      const error = enrichmentError(() =>
        enrich({ timestamp: '2000-05-01T00:00:00Z' }, 'account:https://portal.example|li'),
      );
      expect(error).toMatchObject({
        code: 'implausible-age',
        details: { learnerId: 'L000002', birthYear: 2001 },
      });
    });

    it('refuses an unreadable timestamp for a known learner', () => {
      expect(enrichmentError(() => enrich({ timestamp: 'not a date' })).code).toBe('invalid-timestamp');
    });
  });

  describe('skill', () => {
    it('maps the object activity, also below a module', () => {
      expect(enrich({ object: { id: `${MODULE}/3` } }).skillId).toBe('chinese-input');
      expect(enrich({ object: { objectType: 'Activity', id: `${MODULE}/4/lesson/2` } }).skillId).toBe(
        'common-software',
      );
    });

    it('falls back to the parent, then the grouping activities, when the object does not map', () => {
      const lesson = { id: 'https://partner.example/lessons/typing-42' };
      expect(
        enrich({
          object: lesson,
          context: {
            contextActivities: { parent: [{ id: 'https://partner.example/x' }, { id: `${MODULE}/2` }] },
          },
        }).skillId,
      ).toBe('computer-operation');
      expect(
        enrich({
          object: lesson,
          context: {
            contextActivities: { parent: [{ id: `${MODULE}/1` }], grouping: [{ id: `${MODULE}/5` }] },
          },
        }).skillId,
      ).toBe('computer-principles');
      expect(
        enrich({ object: lesson, context: { contextActivities: { grouping: { id: `${MODULE}/5/quiz` } } } })
          .skillId,
      ).toBe('internet-and-downloads');
    });

    it('prefers the object over its parent', () => {
      const context = { contextActivities: { parent: [{ id: `${MODULE}/1` }] } };
      expect(enrich({ object: { id: `${MODULE}/3/lesson/1` }, context }).skillId).toBe('chinese-input');
    });

    it('is null outside the catalogue and for SubStatement, StatementRef and Agent objects', () => {
      const context = { contextActivities: { parent: [{ id: `${MODULE}/1` }] } };
      expect(enrich({ object: { id: 'https://partner.example/cooking' } }).skillId).toBeNull();
      for (const object of [
        { objectType: 'SubStatement' },
        { objectType: 'StatementRef', id: '6690e6c9-3ef0-4ed3-8b37-7f3964730bee' },
        { objectType: 'Agent' },
      ]) {
        expect(enrich({ object, context }).skillId).toBeNull();
      }
    });
  });

  it('categorises the verb, unlisted verbs as other', () => {
    expect(enrich({ verb: { id: `${VERBS}/passed` } }).verbCategory).toBe('passed');
    expect(enrich({ verb: { id: 'https://partner.example/verbs/liked' } }).verbCategory).toBe('other');
  });

  it('returns exactly the fields of EnrichmentSchema', () => {
    const result = enrichStatement(
      {
        statement: statement(),
        actorKey: WANG,
        source: { type: 'kiosk', credentialKey: 'k', boundLearningPointId: 'LP174' },
      },
      deps,
    );
    expect(EnrichmentSchema.strict().parse(result)).toEqual(result);
    expect(Object.keys(result).sort()).toEqual(Object.keys(EnrichmentSchema.shape).sort());
  });

  it('reads a stored @app/xapi Statement and an open record narrowed by enrichableStatementSchema', () => {
    const xapi: Statement = {
      actor: { mbox: 'mailto:wang@example.cn' },
      verb: { id: `${VERBS}/attended` },
      object: { objectType: 'Activity', id: `${MODULE}/2` },
      context: { contextActivities: { grouping: [{ id: `${LEARNING_POINT_ACTIVITY_PREFIX}LP003` }] } },
      timestamp: '2026-05-01T02:00:00Z',
    };
    const fromKafka: Record<string, unknown> = JSON.parse(JSON.stringify(xapi));
    for (const subject of [xapi, enrichableStatementSchema.parse(fromKafka)]) {
      expect(
        enrichStatement(
          { statement: subject, actorKey: WANG, source: { type: 'app', credentialKey: 'a' } },
          deps,
        ),
      ).toMatchObject({
        learningPointId: 'LP003',
        skillId: 'computer-operation',
        verbCategory: 'attended',
        ageBand: '70-79',
      });
    }
    expect(enrichableStatementSchema.safeParse({ verb: {}, object: {} }).success).toBe(false);
  });
});
