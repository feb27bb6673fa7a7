import { statementRelationColumns } from './statement-relations';

const learner = { mbox: 'mailto:learner@Example.org' };
const teacher = { account: { homePage: 'https://lrs.example', name: 't1' } };

describe('statementRelationColumns', () => {
  it('agent keys: actor and an Agent object; related adds authority, instructor, team and SubStatement parts', () => {
    const columns = statementRelationColumns({
      actor: { objectType: 'Group', mbox: 'mailto:class@example.org', member: [learner] },
      verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
      object: {
        objectType: 'SubStatement',
        actor: { mbox: 'mailto:sub@example.org' },
        verb: { id: 'http://example.org/will' },
        object: { id: 'http://example.org/sub-activity' },
        context: { contextActivities: { grouping: [{ id: 'http://example.org/sub-course' }] } },
      },
      authority: { objectType: 'Agent', ...teacher },
      context: {
        instructor: { mbox: 'mailto:instructor@example.org' },
        team: { objectType: 'Group', member: [{ mbox: 'mailto:mate@example.org' }] },
        contextActivities: {
          parent: [{ id: 'http://example.org/course' }],
          other: { id: 'http://example.org/x' },
        },
      },
    });
    expect(columns.agent_keys).toEqual(['mbox:mailto:class@example.org', 'mbox:mailto:learner@example.org']);
    expect(columns.related_agent_keys).toEqual([
      'mbox:mailto:class@example.org',
      'mbox:mailto:learner@example.org',
      'account:https://lrs.example|t1',
      'mbox:mailto:instructor@example.org',
      'mbox:mailto:mate@example.org',
      'mbox:mailto:sub@example.org',
    ]);
    expect(columns.related_activity_ids).toEqual([
      'http://example.org/course',
      'http://example.org/x',
      'http://example.org/sub-activity',
      'http://example.org/sub-course',
    ]);
  });

  it('an Activity object is an activity id, an Agent object an agent key, a StatementRef neither', () => {
    expect(statementRelationColumns({ actor: learner, object: { id: 'http://example.org/a' } })).toEqual({
      agent_keys: ['mbox:mailto:learner@example.org'],
      related_agent_keys: ['mbox:mailto:learner@example.org'],
      related_activity_ids: ['http://example.org/a'],
    });
    expect(
      statementRelationColumns({ actor: learner, object: { objectType: 'Agent', ...teacher } }).agent_keys,
    ).toEqual(['mbox:mailto:learner@example.org', 'account:https://lrs.example|t1']);
    expect(
      statementRelationColumns({ actor: learner, object: { objectType: 'StatementRef', id: 'x' } })
        .related_activity_ids,
    ).toEqual([]);
  });
});
