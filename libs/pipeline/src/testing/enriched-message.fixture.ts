import { randomUUID } from 'node:crypto';
import type { ConsumedMessage } from '@app/bus';
import { topics, type EnrichedStatementValue } from '@app/contracts';

export interface EnrichedMessageOptions {
  id?: string;
  email?: string;
  partition?: number;
  offset?: number;
  stored?: string;
  statement?: Record<string, unknown>;
}

/** A consumed `xapi.statements.enriched.v1` message for a learner completing module 3 of the computer course. */
export function enrichedMessageFixture(
  options: EnrichedMessageOptions = {},
): ConsumedMessage<EnrichedStatementValue> {
  const id = options.id ?? randomUUID();
  const email = options.email ?? 'learner-1@example.org';
  const stored = options.stored ?? '2026-03-01T08:30:01.654321Z';
  const statement = options.statement ?? {
    id,
    actor: { objectType: 'Agent', mbox: `mailto:${email}` },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'zh-CN': '完成' } },
    object: {
      objectType: 'Activity',
      id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/3',
      definition: { name: { 'zh-CN': '中文输入法', en: 'Chinese input methods' } },
    },
    result: { completion: true, success: true, score: { scaled: 0.85 }, duration: 'PT30M0.5S' },
    timestamp: '2026-03-01T16:30:00.123456+08:00',
    stored,
    authority: {
      objectType: 'Agent',
      account: { homePage: 'https://learn.jlp.cq.cn', name: 'classroom-01' },
    },
    version: '1.0.3',
  };
  const value: EnrichedStatementValue = {
    statement,
    receivedAt: stored,
    source: { type: 'classroom', credentialKey: 'classroom-01', boundLearningPointId: 'LP001' },
    requestId: randomUUID(),
    enrichment: {
      learnerId: 'L000001',
      learnerKnown: true,
      learningPointId: 'LP001',
      schoolId: 'S01',
      townId: 'T01',
      region: 'west',
      ageBand: '60-69',
      gender: 'female',
      homeTownId: 'T01',
      skillId: 'chinese-input',
      verbCategory: 'completed',
      attribution: 'credential',
    },
  };
  const raw = Buffer.from(JSON.stringify(value));
  return {
    topic: topics.statementsEnriched.name,
    partition: options.partition ?? 0,
    offset: String(options.offset ?? 0),
    key: `mbox:mailto:${email}`,
    value,
    headers: {},
    timestamp: String(Date.now()),
    raw: { key: Buffer.from(`mbox:mailto:${email}`), value: raw, headers: {} },
  };
}
