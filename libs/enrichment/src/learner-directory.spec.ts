import { LearnerDirectory } from './learner-directory';
import { REGISTRY_LEARNER_HOME_PAGE, type LearnerChange } from './learner.schema';
import { learner } from './test-fixtures';

const A = 'mbox:mailto:wang@example.cn';
const B = 'account:https://portal.example|12345';
const C = 'openid:https://id.example/li';

describe('LearnerDirectory', () => {
  it('finds a learner by any of its actor keys and by id', () => {
    const directory = LearnerDirectory.from([learner({ identities: [A, B] })]);
    expect(directory.findByActorKey(A)?.id).toBe('L000001');
    expect(directory.findByActorKey(B)?.id).toBe('L000001');
    expect(directory.findByActorKey(C)).toBeUndefined();
    expect(directory.findById('L000001')?.birthYear).toBe(1956);
    expect([directory.size, directory.identityCount]).toEqual([1, 2]);
  });

  it('keeps the highest version per learner, whatever the arrival order (last writer wins)', () => {
    const v1 = learner({ version: 1, gender: 'unknown' });
    const v2 = learner({ version: 2, gender: 'female' });
    const forward = new LearnerDirectory();
    expect([forward.apply(v1), forward.apply(v2)]).toEqual(['created', 'updated']);
    const backward = new LearnerDirectory();
    expect([backward.apply(v2), backward.apply(v1)]).toEqual(['created', 'stale']);
    for (const directory of [forward, backward]) {
      expect(directory.findByActorKey(A)?.gender).toBe('female');
      expect(directory.versionOf('L000001')).toBe(2);
      expect(directory.size).toBe(1);
    }
  });

  it('ignores a redelivered change with the same version', () => {
    const directory = LearnerDirectory.from([learner({ version: 3 })]);
    expect(directory.apply(learner({ version: 3, gender: 'male' }))).toBe('stale');
    expect(directory.findById('L000001')?.gender).toBe('female');
  });

  it('forgets identities a learner no longer lists', () => {
    const directory = LearnerDirectory.from([
      learner({ identities: [A, B], version: 1 }),
      learner({ identities: [B], version: 2 }),
    ]);
    expect(directory.findByActorKey(A)).toBeUndefined();
    expect(directory.findByActorKey(B)?.version).toBe(2);
  });

  describe('an identity moving from one learner to another', () => {
    const oldOwner = learner({ id: 'L1', identities: [A, B], version: 4, updatedAt: '2026-01-01T00:00:00Z' });
    const newOwner = learner({ id: 'L2', identities: [B], version: 5, updatedAt: '2026-02-01T00:00:00Z' });
    const oldOwnerReleased = learner({
      id: 'L1',
      identities: [A],
      version: 6,
      updatedAt: '2026-02-01T00:00:01Z',
    });

    it('goes to the claim written last, in either arrival order', () => {
      for (const order of [
        [oldOwner, newOwner],
        [newOwner, oldOwner],
      ]) {
        const directory = LearnerDirectory.from(order);
        expect(directory.findByActorKey(B)?.id).toBe('L2');
        expect(directory.findByActorKey(A)?.id).toBe('L1');
      }
    });

    it('compares write times as instants, not as text', () => {
      const laterInChinaTime = learner({
        id: 'L3',
        identities: [B],
        version: 1,
        updatedAt: '2026-02-01T08:30:00+08:00',
      });
      const earlierUtc = learner({
        id: 'L4',
        identities: [B],
        version: 1,
        updatedAt: '2026-02-01T01:00:00Z',
      });
      expect(LearnerDirectory.from([laterInChinaTime, earlierUtc]).findByActorKey(B)?.id).toBe('L4');
    });

    it('stays with the new owner once the old owner releases it', () => {
      const directory = LearnerDirectory.from([oldOwner, newOwner, oldOwnerReleased]);
      expect(directory.findByActorKey(B)?.id).toBe('L2');
      expect(directory.findByActorKey(A)?.id).toBe('L1');
      expect(directory.identityCount).toBe(2);
    });

    it('falls back to the other claimant when the winner drops it', () => {
      const directory = LearnerDirectory.from([oldOwner, newOwner]);
      directory.apply(learner({ id: 'L2', identities: [C], version: 7, updatedAt: '2026-03-01T00:00:00Z' }));
      expect(directory.findByActorKey(B)?.id).toBe('L1');
      expect(directory.findByActorKey(C)?.id).toBe('L2');
    });
  });

  describe('tombstones (PIPL erasure)', () => {
    it('removes the learner and all its identities', () => {
      const directory = LearnerDirectory.from([learner({ identities: [A, B], version: 1 })]);
      expect(directory.apply({ id: 'L000001', deleted: true, version: 2 })).toBe('deleted');
      expect(directory.findByActorKey(A)).toBeUndefined();
      expect(directory.findByActorKey(B)).toBeUndefined();
      expect(directory.findById('L000001')).toBeUndefined();
      expect([directory.size, directory.identityCount, directory.isErased('L000001')]).toEqual([0, 0, true]);
    });

    it('keeps an older upsert arriving after the erasure from resurrecting the learner', () => {
      const changes: LearnerChange[] = [
        { id: 'L000001', deleted: true, version: 2 },
        learner({ version: 1 }),
      ];
      const directory = LearnerDirectory.from(changes);
      expect(directory.findByActorKey(A)).toBeUndefined();
      expect(directory.versionOf('L000001')).toBe(2);
      expect(directory.size).toBe(0);
    });

    it('lets a newer registration under the same id come back', () => {
      const directory = LearnerDirectory.from([
        learner({ version: 1 }),
        { id: 'L000001', deleted: true, version: 2 },
      ]);
      expect(directory.apply(learner({ version: 3, identities: [C] }))).toBe('created');
      expect(directory.findByActorKey(C)?.version).toBe(3);
      expect(directory.findByActorKey(A)).toBeUndefined();
    });

    it('hands a shared identity to the remaining claimant', () => {
      const directory = LearnerDirectory.from([
        learner({ id: 'L1', identities: [A], version: 1, updatedAt: '2026-01-01T00:00:00Z' }),
        learner({ id: 'L2', identities: [A], version: 1, updatedAt: '2026-01-02T00:00:00Z' }),
      ]);
      expect(directory.findByActorKey(A)?.id).toBe('L2');
      directory.apply({ id: 'L2', deleted: true, version: 2 });
      expect(directory.findByActorKey(A)?.id).toBe('L1');
    });
  });
});

describe('LearnerDirectory: the registry account', () => {
  it('resolves the account named by the learner id on the registry home page', () => {
    const directory = new LearnerDirectory();
    directory.apply({
      id: 'L000777',
      identities: ['mbox:mailto:wang@example.org'],
      birthYear: 1950,
      gender: 'female',
      homeTownId: 'T01',
      homeLearningPointId: null,
      updatedAt: '2026-01-01T00:00:00.000Z',
      version: 1,
    });
    expect(directory.findByActorKey(`account:${REGISTRY_LEARNER_HOME_PAGE}|L000777`)?.id).toBe('L000777');
    expect(directory.findByActorKey(`account:${REGISTRY_LEARNER_HOME_PAGE}|L000778`)).toBeUndefined();
    expect(directory.findByActorKey('account:https://partner.example|L000777')).toBeUndefined();
  });
});
