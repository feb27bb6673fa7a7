import type { ConsumedMessage } from '@app/bus';
import { encodeMessage, topics, type LearnerChangedValue } from '@app/contracts';
import { LearnerDirectory } from '@app/enrichment';
import { learner } from '@app/enrichment/test-fixtures';
import { createLearnerChangeStep } from './learner-registry-changes.step';

describe('learner change step', () => {
  const change = (value: LearnerChangedValue, key: string = value.id, offset = 0) => {
    const encoded = encodeMessage(topics.learnersChanged, { key: value.id, value });
    return {
      topic: topics.learnersChanged.name,
      partition: 0,
      offset: String(offset),
      key,
      value,
      headers: {},
      timestamp: String(Date.now()),
      raw: { key: encoded.key, value: encoded.value, headers: {} },
    } satisfies ConsumedMessage<LearnerChangedValue>;
  };

  it('applies upserts and tombstones last-writer-wins, so a replay changes nothing', async () => {
    const learners = new LearnerDirectory();
    const applied: string[] = [];
    const step = createLearnerChangeStep(learners, {
      onApplied: (id, result) => applied.push(`${id}:${result}`),
    });
    const v1 = learner({ id: 'L000007', identities: ['mbox:mailto:zhao@example.cn'], version: 1 });
    const v2 = learner({
      id: 'L000007',
      identities: ['mbox:mailto:zhao@example.cn'],
      version: 2,
      gender: 'male',
    });
    const erased: LearnerChangedValue = { id: 'L000007', deleted: true, version: 3 };

    await step([change(v1), change(v2)]);
    expect(learners.findByActorKey('mbox:mailto:zhao@example.cn')?.gender).toBe('male');
    await step([change(erased), change(v1), change(v2)]);
    expect(learners.findByActorKey('mbox:mailto:zhao@example.cn')).toBeUndefined();
    expect(applied).toEqual([
      'L000007:created',
      'L000007:updated',
      'L000007:deleted',
      'L000007:stale',
      'L000007:stale',
    ]);
  });

  it('dead-letters a change whose key is not its learner id', async () => {
    const learners = new LearnerDirectory();
    const step = createLearnerChangeStep(learners);
    const result = await step([change(learner({ id: 'L000008' }), 'L000009')]);
    expect(result).toEqual({
      outcomes: [
        { type: 'dlq', reason: expect.stringMatching(/^key-mismatch/), errorClass: 'LearnerChangeKeyError' },
      ],
    });
    expect(learners.size).toBe(0);
  });
});
