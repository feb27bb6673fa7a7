import { LearnerCsvError } from './errors';
import { importLearnersCsv } from './learner-csv';
import { referenceIndex } from './test-fixtures';

const reference = referenceIndex();
const HEADER = 'learner_id,identities,birth_year,gender,home_town_id,home_learning_point_id';

function csv(...rows: string[]): string {
  return [HEADER, ...rows].join('\n') + '\n';
}

function rulesOf(text: string): Array<{ line: number; reasons: string[] }> {
  return importLearnersCsv(text, reference).rejected.map(({ line, reasons }) => ({
    line,
    reasons: reasons.map((r) => `${r.field}:${r.rule}`),
  }));
}

describe('importLearnersCsv', () => {
  it('reads valid rows into drafts, splitting identities on ";" and canonicalising them', () => {
    const result = importLearnersCsv(
      '\uFEFF# exported from the college registry\n' +
        csv(
          'L000001,"mbox:mailto:Wang@Example.CN; account:https://portal.example|12345",1956,female,T01,LP002',
          'L000002,mbox_sha1sum:ABCDEF0123456789ABCDEF0123456789ABCDEF01,1990,male,T02,',
        ),
      reference,
    );
    expect(result.rejected).toEqual([]);
    expect(result.accepted).toEqual([
      {
        line: 3,
        learner: {
          id: 'L000001',
          identities: ['mbox:mailto:Wang@example.cn', 'account:https://portal.example|12345'],
          birthYear: 1956,
          gender: 'female',
          homeTownId: 'T01',
          homeLearningPointId: 'LP002',
        },
      },
      {
        line: 4,
        learner: {
          id: 'L000002',
          identities: ['mbox_sha1sum:abcdef0123456789abcdef0123456789abcdef01'],
          birthYear: 1990,
          gender: 'male',
          homeTownId: 'T02',
          homeLearningPointId: null,
        },
      },
    ]);
  });

  it('rejects bad rows with their physical line number and every reason, keeping the good ones', () => {
    const text = csv(
      'L000001,mbox:mailto:a@b.cn,1956,female,T01,LP002',
      'X1,wang@example.cn,nineteen,f,T99,LP999',
      'L000003,,,,,',
      'L000004,"mbox:mailto:c@d.cn",1960,male,T01,LP009',
    );
    expect(rulesOf(text)).toEqual([
      {
        line: 3,
        reasons: [
          'learner_id:format',
          'identities:actor-key',
          'birth_year:format',
          'gender:value',
          'home_town_id:reference',
          'home_learning_point_id:reference',
        ],
      },
      {
        line: 4,
        reasons: ['identities:range', 'birth_year:required', 'gender:required', 'home_town_id:required'],
      },
      { line: 5, reasons: ['home_learning_point_id:same-town'] },
    ]);
    const result = importLearnersCsv(text, reference);
    expect(result.accepted.map((row) => row.line)).toEqual([2]);
    expect(result.rejected[0]).toMatchObject({
      learnerId: 'X1',
      reasons: expect.arrayContaining([
        { field: 'identities', rule: 'actor-key', message: expect.stringMatching(/^entry 1: /) },
        { field: 'home_town_id', rule: 'reference', message: 'unknown town "T99"' },
      ]),
    });
  });

  it('counts lines of quoted multi-line cells and comments when numbering rows', () => {
    const text =
      '# comment\n' +
      csv('L1,"mbox:mailto:a@b.cn;\nmbox:mailto:c@d.cn",1956,female,T01,LP002', 'L2,x,1956,female,T01,');
    expect(rulesOf(text)).toEqual([{ line: 5, reasons: ['identities:actor-key'] }]);
  });

  it('rejects a repeated learner id and an identity already given to another row, naming the first line', () => {
    const result = importLearnersCsv(
      csv(
        'L1,mbox:mailto:a@b.cn,1956,female,T01,',
        'L1,mbox:mailto:c@d.cn,1956,female,T01,',
        'L2,mbox:mailto:a@B.CN,1956,female,T01,',
      ),
      reference,
    );
    expect(result.accepted.map((row) => row.line)).toEqual([2]);
    expect(result.rejected).toEqual([
      {
        line: 3,
        learnerId: 'L1',
        reasons: [{ field: 'learner_id', rule: 'unique', message: 'learner L1 is already on line 2' }],
      },
      {
        line: 4,
        learnerId: 'L2',
        reasons: [
          {
            field: 'identities',
            rule: 'unique',
            message: '"mbox:mailto:a@b.cn" already belongs to learner L1 (line 2)',
          },
        ],
      },
    ]);
  });

  it('rejects a row with the wrong number of cells', () => {
    expect(rulesOf(csv('L1,mbox:mailto:a@b.cn,1956,female,T01,,extra'))).toEqual([
      { line: 2, reasons: [':columns'] },
    ]);
  });

  it('ignores and reports extra columns, reading the others by name in any order', () => {
    const result = importLearnersCsv(
      'gender,note,learner_id,identities,birth_year,home_town_id,home_learning_point_id\n' +
        'male,called twice,L7,mbox:mailto:a@b.cn,1949,T19,LP174\n',
      reference,
    );
    expect(result.ignoredColumns).toEqual(['note']);
    expect(result.accepted[0].learner).toMatchObject({
      id: 'L7',
      gender: 'male',
      homeLearningPointId: 'LP174',
    });
  });

  it('throws for a missing column or broken quoting, with the line', () => {
    expect(() => importLearnersCsv('learner_id,identities,birth_year\nL1,x,1956\n', reference)).toThrow(
      new LearnerCsvError(
        1,
        'missing-column',
        'missing columns gender, home_town_id, home_learning_point_id (expected learner_id, identities, birth_year, gender, home_town_id, home_learning_point_id)',
      ),
    );
    const broken = csv('L1,mbox:mailto:a@b.cn,1956,female,T01,', 'L2,"mbox:mailto:c@d.cn,1956,female,T01,');
    expect(() => importLearnersCsv(broken, reference)).toThrow(/line 3 \[csv-quote\]/);
  });
});
