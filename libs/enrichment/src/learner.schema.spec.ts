import { chinaYear } from '@app/reference';
import { actorKey } from '@app/xapi';
import { LearnerValidationError, type LearnerIssue } from './errors';
import {
  learnerChangeKeySchema,
  learnerChangeValueSchema,
  learnerRecordSchema,
  parseLearnerPutBody,
  parseLearnerRecord,
  stampLearner,
  validateLearnerPutBody,
} from './learner.schema';
import { learner, referenceIndex } from './test-fixtures';

const reference = referenceIndex();

const body = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  identities: ['mbox:mailto:wang@example.cn'],
  birthYear: 1956,
  gender: 'female',
  homeTownId: 'T01',
  homeLearningPointId: 'LP002',
  ...overrides,
});

function issuesOf(input: unknown): Array<Pick<LearnerIssue, 'field' | 'rule'>> {
  const result = validateLearnerPutBody(input, reference);
  if (result.ok) throw new Error('expected the body to be rejected');
  return result.issues.map(({ field, rule }) => ({ field, rule }));
}

describe('PUT /registry/learners/{id} body', () => {
  it('accepts a valid body and canonicalises the actor keys like @app/xapi actorKey does', () => {
    const parsed = parseLearnerPutBody(
      body({
        identities: [
          'mbox:mailto:Wang.Li@Example.CN',
          'mbox_sha1sum:ABCDEF0123456789ABCDEF0123456789ABCDEF01',
          'account:https://portal.example|12345',
          'openid:https://id.example/wang',
        ],
      }),
      reference,
    );
    expect(parsed.identities).toEqual([
      'mbox:mailto:Wang.Li@example.cn',
      'mbox_sha1sum:abcdef0123456789abcdef0123456789abcdef01',
      'account:https://portal.example|12345',
      'openid:https://id.example/wang',
    ]);
  });

  it('stores exactly the key @app/xapi derives from a statement actor, whatever case the clerk typed', () => {
    const typed = ['mbox:mailto:Wang@EXAMPLE.cn', 'mbox_sha1sum:ABCDEF0123456789ABCDEF0123456789ABCDEF01'];
    const stored = parseLearnerPutBody(body({ identities: typed }), reference).identities;
    expect(stored).toEqual([
      actorKey({ mbox: 'mailto:Wang@example.CN' }),
      actorKey({ mbox_sha1sum: 'abcdef0123456789abcdef0123456789abcdef01' }),
    ]);
  });

  it('treats an omitted home learning point as none', () => {
    const { homeLearningPointId: _omitted, ...rest } = body();
    expect(parseLearnerPutBody(rest, reference).homeLearningPointId).toBeNull();
  });

  it('names the field and the rule of every broken rule at once', () => {
    expect(
      issuesOf({
        identities: ['wang@example.cn', 'mbox:mailto:a@b.cn', 'mbox:mailto:a@B.CN'],
        birthYear: 1956.5,
        gender: 'f',
        homeTownId: 'town 1',
      }),
    ).toEqual([
      { field: 'identities[0]', rule: 'actor-key' },
      { field: 'identities[2]', rule: 'unique' },
      { field: 'birthYear', rule: 'format' },
      { field: 'gender', rule: 'value' },
      { field: 'homeTownId', rule: 'format' },
    ]);
  });

  it('reports a duplicate identity after canonicalisation, pointing at both positions', () => {
    const result = validateLearnerPutBody(
      body({ identities: ['mbox:mailto:a@b.cn', 'mbox:mailto:a@B.CN'] }),
      reference,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues).toEqual([
        { field: 'identities[1]', rule: 'unique', message: expect.stringContaining('identities[0]') },
      ]);
    }
  });

  it('requires at least one identity and the demographic fields', () => {
    expect(issuesOf({ identities: [] })).toEqual([
      { field: 'identities', rule: 'range' },
      { field: 'birthYear', rule: 'required' },
      { field: 'gender', rule: 'required' },
      { field: 'homeTownId', rule: 'required' },
    ]);
  });

  it('rejects implausible birth years with the accepted range in the message', () => {
    const thisYear = chinaYear(new Date());
    const future = validateLearnerPutBody(body({ birthYear: thisYear + 1 }), reference);
    const ancient = validateLearnerPutBody(body({ birthYear: 1850 }), reference);
    for (const result of [future, ancient]) {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.issues).toEqual([
          { field: 'birthYear', rule: 'range', message: expect.stringContaining(`and ${thisYear}`) },
        ]);
      }
    }
    expect(issuesOf(body({ birthYear: '1956' }))).toEqual([{ field: 'birthYear', rule: 'type' }]);
  });

  it('refuses the registry-owned fields id, version and updatedAt in the body', () => {
    expect(issuesOf(body({ id: 'L1', version: 3, updatedAt: '2026-01-01T00:00:00Z' }))).toEqual([
      { field: 'id', rule: 'unknown-field' },
      { field: 'version', rule: 'unknown-field' },
      { field: 'updatedAt', rule: 'unknown-field' },
    ]);
  });

  it('checks the home town and point against the reference data, naming the unknown value', () => {
    const result = validateLearnerPutBody(
      body({ homeTownId: 'T99', homeLearningPointId: 'LP999' }),
      reference,
    );
    expect(result).toEqual({
      ok: false,
      issues: [
        { field: 'homeTownId', rule: 'reference', message: 'unknown town "T99"' },
        { field: 'homeLearningPointId', rule: 'reference', message: 'unknown learning point "LP999"' },
      ],
    });
  });

  it('requires the home point to lie in the home town', () => {
    // LP009 is in T02 (石桥铺街道), not T01.
    expect(issuesOf(body({ homeTownId: 'T01', homeLearningPointId: 'LP009' }))).toEqual([
      { field: 'homeLearningPointId', rule: 'same-town' },
    ]);
  });

  it('throws a typed error whose message lists field and rule', () => {
    expect(() => parseLearnerPutBody(body({ gender: 'x', homeTownId: 'T99' }), reference)).toThrow(
      LearnerValidationError,
    );
    expect(() => parseLearnerPutBody(body({ gender: 'x', homeTownId: 'T99' }), reference)).toThrow(
      /gender \[value\].*homeTownId \[reference\] unknown town "T99"/,
    );
  });
});

describe('LearnerRecord', () => {
  it('accepts L-ids and UUIDs (lowercased) and rejects other ids', () => {
    expect(parseLearnerRecord(learner({ id: 'L42' }), reference).id).toBe('L42');
    expect(parseLearnerRecord(learner({ id: 'F0E1D2C3-B4A5-4697-8899-AABBCCDDEEFF' }), reference).id).toBe(
      'f0e1d2c3-b4a5-4697-8899-aabbccddeeff',
    );
    for (const id of ['42', 'Lx1', 'wang@example.cn', '']) {
      expect(learnerRecordSchema.safeParse(learner({ id })).success).toBe(false);
    }
  });

  it('requires a positive integer version and an ISO updatedAt', () => {
    expect(() => parseLearnerRecord(learner({ version: 0, updatedAt: 'yesterday' }), reference)).toThrow(
      /updatedAt \[format\].*version \[range\]/,
    );
  });

  it('is stamped from a draft by the registry', () => {
    const { version: _v, updatedAt: _u, ...draft } = learner();
    expect(stampLearner(draft, 7, new Date('2026-03-01T00:00:00Z'))).toEqual(
      learner({ version: 7, updatedAt: '2026-03-01T00:00:00.000Z' }),
    );
    expect(() => stampLearner(draft, 0, new Date())).toThrow(RangeError);
  });
});

describe('learner change-feed message', () => {
  it('keys by learner id and carries a full record or a tombstone', () => {
    expect(learnerChangeKeySchema.parse('L000001')).toBe('L000001');
    expect(learnerChangeValueSchema.parse(learner())).toEqual(learner());
    expect(learnerChangeValueSchema.parse({ id: 'L000001', deleted: true, version: 2 })).toEqual({
      id: 'L000001',
      deleted: true,
      version: 2,
    });
  });

  it('reads a tombstone that still carries record fields as a tombstone', () => {
    expect(learnerChangeValueSchema.parse({ ...learner({ version: 3 }), deleted: true })).toEqual({
      id: 'L000001',
      deleted: true,
      version: 3,
    });
  });

  it('tolerates a field added by a newer registry (stripped), so old consumers keep working', () => {
    expect(learnerChangeValueSchema.parse({ ...learner(), preferredLanguage: 'zh' })).toEqual(learner());
  });

  it('rejects a tombstone without a version and a record missing fields', () => {
    expect(learnerChangeValueSchema.safeParse({ id: 'L000001', deleted: true }).success).toBe(false);
    const { gender: _g, ...partial } = learner();
    expect(learnerChangeValueSchema.safeParse(partial).success).toBe(false);
  });
});
