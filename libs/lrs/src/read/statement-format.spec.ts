import { formatStatement, parseAcceptLanguage, pickLanguage } from './statement-format';

const activity = {
  objectType: 'Activity',
  id: 'http://example.org/quiz',
  definition: {
    name: { 'en-US': 'Quiz', 'en-GB': 'Test', 'zh-CN': '测验' },
    description: { 'en-US': 'A quiz', 'zh-CN': '一个测验' },
    type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
    interactionType: 'choice',
    choices: [{ id: 'a', description: { 'en-US': 'Yes', 'zh-CN': '是' } }],
  },
};
const statement = {
  id: '0b9c2f7e-5d1a-4c3b-9e8f-7a6b5c4d3e2f',
  actor: { objectType: 'Agent', name: 'Li Wei', mbox: 'mailto:li@example.org' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { 'en-US': 'answered', 'zh-CN': '回答' } },
  object: activity,
  context: {
    instructor: { name: 'Teacher', account: { homePage: 'https://lrs.example', name: 't1' } },
    team: { objectType: 'Group', member: [{ name: 'A', mbox: 'mailto:a@example.org' }] },
    contextActivities: { parent: [activity] },
  },
  authority: { objectType: 'Agent', name: 'App', account: { homePage: 'https://lrs.example', name: 'app' } },
  stored: '2026-03-01T00:00:00.000Z',
};

describe('Accept-Language', () => {
  it('orders ranges by quality, then by position, dropping q=0', () => {
    expect(parseAcceptLanguage('en;q=0.5, zh-CN, fr;q=0, *;q=0.1')).toEqual([
      { range: 'zh-cn', quality: 1 },
      { range: 'en', quality: 0.5 },
      { range: '*', quality: 0.1 },
    ]);
    expect(parseAcceptLanguage(undefined)).toEqual([]);
  });

  it('picks one entry: exact tag, else a tag the range prefixes, else the first entry', () => {
    const map = { 'en-US': 'Quiz', 'en-GB': 'Test', 'zh-CN': '测验' };
    expect(pickLanguage(map, parseAcceptLanguage('en-GB'))).toEqual({ 'en-GB': 'Test' });
    expect(pickLanguage(map, parseAcceptLanguage('zh'))).toEqual({ 'zh-CN': '测验' });
    expect(pickLanguage(map, parseAcceptLanguage('fr, zh-CN;q=0.4'))).toEqual({ 'zh-CN': '测验' });
    expect(pickLanguage(map, parseAcceptLanguage('fr'))).toEqual({ 'en-US': 'Quiz' });
  });
});

describe('formatStatement', () => {
  it('exact returns the statement as stored', () => {
    expect(formatStatement(statement, 'exact', [])).toBe(statement);
  });

  it('canonical keeps one language per Activity and Verb map, agents untouched', () => {
    const canonical = formatStatement(
      statement,
      'canonical',
      parseAcceptLanguage('zh-CN'),
    ) as typeof statement;
    expect(canonical.verb.display).toEqual({ 'zh-CN': '回答' });
    expect(canonical.object.definition.name).toEqual({ 'zh-CN': '测验' });
    expect(canonical.object.definition.description).toEqual({ 'zh-CN': '一个测验' });
    expect(canonical.object.definition.choices[0].description).toEqual({ 'zh-CN': '是' });
    expect(canonical.context.contextActivities.parent[0].definition.name).toEqual({ 'zh-CN': '测验' });
    expect(canonical.actor).toEqual(statement.actor);
    expect(statement.verb.display).toHaveProperty('en-US');
  });

  it('ids reduces Agents, Groups, Activities and Verbs to what identifies them', () => {
    expect(formatStatement(statement, 'ids', [])).toEqual({
      id: statement.id,
      actor: { objectType: 'Agent', mbox: 'mailto:li@example.org' },
      verb: { id: 'http://adlnet.gov/expapi/verbs/answered' },
      object: { id: 'http://example.org/quiz' },
      context: {
        instructor: { account: { homePage: 'https://lrs.example', name: 't1' } },
        team: { objectType: 'Group', member: [{ mbox: 'mailto:a@example.org' }] },
        contextActivities: { parent: [{ id: 'http://example.org/quiz' }] },
      },
      authority: { objectType: 'Agent', account: { homePage: 'https://lrs.example', name: 'app' } },
      stored: statement.stored,
    });
  });
});
