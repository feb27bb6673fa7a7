import { randomUUID } from 'node:crypto';

import type { StatementRowInput } from '../statement-row';
import { topics } from '@app/contracts';

/** A valid `statements` row; override what a test cares about. */
export function statementRowFixture(overrides: Partial<StatementRowInput> = {}): StatementRowInput {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    actor_key: 'mbox:mailto:learner-1@example.org',
    verb_id: 'http://adlnet.gov/expapi/verbs/completed',
    object_id: 'https://jlp.example/courses/computer-basics/module-3',
    object_type: 'Activity',
    timestamp: '2024-03-01 00:30:00.123456',
    stored: '2024-03-01 00:30:01.654321',
    registration: null,
    voided: false,
    voiding_target: null,
    source: 'classroom',
    credential_key: 'classroom-baishiyi-01',
    learner_id: 'L-000001',
    learning_point_id: 'LP-BSY-01',
    school_id: 'CS-BSY',
    town: '白市驿镇',
    region: 'west',
    age_band: '60-69',
    gender: 'female',
    skill: 'chinese-input',
    verb_category: 'completion',
    duration_seconds: 1800.5,
    score_scaled: 0.85,
    success: true,
    completion: true,
    raw: JSON.stringify({ id, object: { definition: { name: { 'zh-CN': '中文输入法' } } } }),
    kafka_topic: topics.statementsEnriched.name,
    kafka_partition: 0,
    kafka_offset: '1',
    ...overrides,
  };
}
