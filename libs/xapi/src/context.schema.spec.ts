import { messagesOf, rulesOf, withProps } from './spec-helpers';
import { parseStatement } from './validate';

const course = { id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics' };

describe('Context (Data 2.4.6)', () => {
  it('accepts every context property', () => {
    const context = {
      registration: 'c3d52c6e-1d1b-4a0a-9d5f-0b1e0f3a7b42',
      instructor: { name: '王老师', mbox: 'mailto:wang@jlp.cq.cn' },
      team: { objectType: 'Group', member: [{ mbox: 'mailto:a@jlp.cq.cn' }] },
      contextActivities: { parent: [course], grouping: [course], category: [course], other: [course] },
      revision: 'r2',
      platform: '九龙坡区全民终身学习网',
      language: 'zh-CN',
      statement: { objectType: 'StatementRef', id: '3f0c2a1e-8b7d-4c55-9a0e-5d2b7c1f4e61' },
      extensions: { 'https://learn.jlp.cq.cn/xapi/ext/learning-point': 'LP-SPQ-003' },
    };
    expect(messagesOf(withProps({ context }))).toEqual([]);
  });

  it('normalises single contextActivities to arrays of one', () => {
    const statement = parseStatement(
      withProps({ context: { contextActivities: { parent: course, other: [course] } } }),
    );
    expect(statement.context?.contextActivities).toEqual({ parent: [course], other: [course] });
  });

  it('rejects unknown contextActivities keys and non-Activity values', () => {
    expect(
      messagesOf(withProps({ context: { contextActivities: { parents: [course], other: [{ key: 'x' }] } } })),
    ).toEqual([
      'context.contextActivities.other[0].id: is required',
      'context.contextActivities.other[0].key: is not a property the xAPI specification defines here',
      'context.contextActivities.parents: is not a property the xAPI specification defines here',
    ]);
  });

  it('allows revision and platform only when the object is an Activity', () => {
    const object = { objectType: 'Agent', mbox: 'mailto:peer@jlp.cq.cn' };
    expect(messagesOf(withProps({ object, context: { revision: 'r1', platform: 'app' } }))).toEqual([
      'context.revision: "revision" is only allowed when the object is an Activity (found object of type Agent)',
      'context.platform: "platform" is only allowed when the object is an Activity (found object of type Agent)',
    ]);
  });

  it('requires a Group as team, a UUID registration and a language tag', () => {
    expect(
      messagesOf(
        withProps({
          context: { team: { mbox: 'mailto:a@b.cn' }, registration: 'reg-1', language: 'Chinese (China)' },
        }),
      ),
    ).toEqual([
      'context.registration: must be a UUID in standard string form (found "reg-1")',
      'context.team.objectType: must be "Group" (found nothing)',
      'context.language: must be an RFC 5646 language tag (found "Chinese (China)")',
    ]);
  });

  it('requires context.statement to be a StatementRef', () => {
    expect(
      rulesOf(withProps({ context: { statement: { id: '3f0c2a1e-8b7d-4c55-9a0e-5d2b7c1f4e61' } } })),
    ).toEqual(['value']);
  });

  it('rejects xAPI 2.0 contextAgents under 1.0.3 and accepts them under 2.0.0', () => {
    const context = {
      contextAgents: [
        {
          objectType: 'contextAgent',
          agent: { mbox: 'mailto:wang@jlp.cq.cn' },
          relevantTypes: ['https://learn.jlp.cq.cn/xapi/roles/teacher'],
        },
      ],
      contextGroups: [
        {
          objectType: 'contextGroup',
          group: { objectType: 'Group', account: { homePage: 'https://learn.jlp.cq.cn', name: 'class-7' } },
        },
      ],
    };
    expect(messagesOf(withProps({ context }))).toEqual([
      'context.contextAgents: is not a property the xAPI specification defines here',
      'context.contextGroups: is not a property the xAPI specification defines here',
    ]);
    expect(messagesOf(withProps({ context }), { version: '2.0.0' })).toEqual([]);
    const empty = {
      contextAgents: [{ objectType: 'contextAgent', agent: { mbox: 'mailto:a@b.cn' }, relevantTypes: [] }],
    };
    expect(rulesOf(withProps({ context: empty }), { version: '2.0.0' })).toEqual(['range']);
  });
});
