import { statementDifference, statementsEquivalent } from './equivalence';
import type { JsonObject } from './spec-helpers';
import { parseStatement } from './validate';

const sent: JsonObject = {
  id: '3f0c2a1e-8b7d-4c55-9a0e-5d2b7c1f4e61',
  actor: { objectType: 'Agent', name: '张伟', mbox: 'mailto:zhang@jlp.cq.cn' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'zh-CN': '完成了' } },
  object: {
    objectType: 'Activity',
    id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/3',
    definition: { name: { 'zh-CN': '中文输入法' } },
  },
  result: {
    score: { scaled: 0.9 },
    duration: 'PT10M5.123S',
    extensions: { 'http://x.cn/a': { b: 1, c: 2 } },
  },
  context: {
    registration: 'c3d52c6e-1d1b-4a0a-9d5f-0b1e0f3a7b42',
    team: { objectType: 'Group', member: [{ mbox: 'mailto:a@jlp.cq.cn' }, { mbox: 'mailto:b@jlp.cq.cn' }] },
    contextActivities: { parent: [{ id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics' }] },
  },
  timestamp: '2024-05-11T09:42:17.123+08:00',
};

function variant(change: (s: JsonObject) => void): JsonObject {
  const copy = JSON.parse(JSON.stringify(sent)) as JsonObject;
  change(copy);
  return copy;
}

function same(a: JsonObject, b: JsonObject): boolean {
  return statementsEquivalent(parseStatement(a), parseStatement(b));
}

function differenceOf(b: JsonObject): string | undefined {
  return statementDifference(parseStatement(sent), parseStatement(b));
}

describe('Statement comparison (Data 2.3.1)', () => {
  it('ignores what the LRS may assign: id, authority, stored, timestamp, version', () => {
    const resent = variant((s) => {
      s.id = '3F0C2A1E-8B7D-4C55-9A0E-5D2B7C1F4E61';
      s.timestamp = '2024-05-11T01:42:17.123Z';
      s.stored = '2024-05-11T01:50:00Z';
      s.authority = { mbox: 'mailto:lrs@jlp.cq.cn' };
      s.version = '1.0.0';
    });
    expect(same(sent, resent)).toBe(true);
  });

  it('ignores activity definitions, verb display, member order, case-insensitive parts and default objectTypes', () => {
    const resent = variant((s) => {
      (s.verb as JsonObject).display = { en: 'completed' };
      (s.object as JsonObject).definition = { name: { en: 'Chinese input' } };
      delete (s.object as JsonObject).objectType;
      s.actor = { name: '张伟', mbox: 'mailto:zhang@JLP.cq.cn' };
      const context = s.context as JsonObject;
      context.registration = 'C3D52C6E-1D1B-4A0A-9D5F-0B1E0F3A7B42';
      (context.team as JsonObject).member = [{ mbox: 'mailto:b@jlp.cq.cn' }, { mbox: 'mailto:a@jlp.cq.cn' }];
      context.contextActivities = {
        parent: { id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics' },
      };
      (s.result as JsonObject).duration = 'PT10M5.12S';
      (s.result as JsonObject).extensions = { 'http://x.cn/a': { c: 2, b: 1 } };
    });
    expect(differenceOf(resent)).toBeUndefined();
  });

  it('reports where a conflicting re-send differs', () => {
    expect(differenceOf(variant((s) => ((s.result as JsonObject).score = { scaled: 0.8 })))).toBe(
      'result.score.scaled',
    );
    expect(differenceOf(variant((s) => ((s.actor as JsonObject).name = '张三')))).toBe('actor.name');
    expect(differenceOf(variant((s) => ((s.actor as JsonObject).mbox = 'mailto:Zhang@jlp.cq.cn')))).toBe(
      'actor.mbox',
    );
    expect(differenceOf(variant((s) => ((s.result as JsonObject).duration = 'PT605.12S')))).toBe(
      'result.duration',
    );
    expect(differenceOf(variant((s) => delete s.context))).toBe('context');
  });

  it('keeps the order of ordinary arrays', () => {
    const two = variant((s) => {
      (s.context as JsonObject).contextActivities = {
        grouping: [{ id: 'https://a.cn/1' }, { id: 'https://a.cn/2' }],
      };
    });
    const swapped = variant((s) => {
      (s.context as JsonObject).contextActivities = {
        grouping: [{ id: 'https://a.cn/2' }, { id: 'https://a.cn/1' }],
      };
    });
    expect(same(two, swapped)).toBe(false);
  });

  it('compares SubStatement timestamps as instants', () => {
    const sub = (timestamp: string): JsonObject =>
      variant((s) => {
        s.object = {
          objectType: 'SubStatement',
          actor: { mbox: 'mailto:zhang@jlp.cq.cn' },
          verb: { id: 'http://adlnet.gov/expapi/verbs/attended' },
          object: { id: 'https://learn.jlp.cq.cn/xapi/activities/class/1' },
          timestamp,
        };
      });
    expect(same(sub('2030-01-01T09:00:00+08:00'), sub('2030-01-01T01:00:00.000Z'))).toBe(true);
    expect(same(sub('2030-01-01T09:00:00+08:00'), sub('2030-01-01T09:00:00Z'))).toBe(false);
  });
});
