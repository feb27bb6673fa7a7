import { loadReferenceDataSync, ReferenceIndex } from '@app/reference';
import type { LearnerRecord } from './learner.schema';

/** Shared by the specs: the real reference data (19 towns, 176 points), loaded once per test file. */
let cached: ReferenceIndex | undefined;
export function referenceIndex(): ReferenceIndex {
  cached ??= new ReferenceIndex(loadReferenceDataSync());
  return cached;
}

export const MODULE = 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module';
export const VERBS = 'http://adlnet.gov/expapi/verbs';

export function learner(overrides: Partial<LearnerRecord> = {}): LearnerRecord {
  return {
    id: 'L000001',
    identities: ['mbox:mailto:wang@example.cn'],
    birthYear: 1956,
    gender: 'female',
    homeTownId: 'T01',
    homeLearningPointId: 'LP002',
    updatedAt: '2026-01-01T00:00:00Z',
    version: 1,
    ...overrides,
  };
}
