import { messagesOf, rulesOf, withProps } from './spec-helpers';
import { validateStatement } from './validate';

function withDefinition(definition: Record<string, unknown>) {
  return withProps({ object: { id: 'https://learn.jlp.cq.cn/xapi/activities/quiz/1/q3', definition } });
}

describe('Activity (Data 2.4.4.1)', () => {
  it('accepts an Activity without objectType and any IRI scheme as id', () => {
    expect(messagesOf(withProps({ object: { id: 'course-v1:JLP+CS101+2024_T1' } }))).toEqual([]);
  });

  it('requires an IRI id', () => {
    expect(messagesOf(withProps({ object: { objectType: 'Activity' } }))).toEqual(['object.id: is required']);
    expect(messagesOf(withProps({ object: { id: 'module-2' } }))).toEqual([
      'object.id: must be an IRI with a scheme (found "module-2")',
    ]);
  });

  it('accepts a full definition with Chinese language maps', () => {
    const result = validateStatement(
      withDefinition({
        name: { 'zh-CN': '中文输入法', en: 'Chinese input methods' },
        description: { 'zh-Hans-CN': '拼音输入练习' },
        type: 'http://adlnet.gov/expapi/activities/module',
        moreInfo: 'https://learn.jlp.cq.cn/courses/computer-basics/3',
        extensions: { 'https://learn.jlp.cq.cn/xapi/ext/skill': 'digital.chinese-input' },
      }),
    );
    expect(result.ok).toBe(true);
  });

  it('rejects bad language map keys and values, and unknown definition properties', () => {
    expect(messagesOf(withDefinition({ name: { chinese: '输入法', 'zh-CN': 5 }, title: 'x' }))).toEqual([
      'object.definition.name["zh-CN"]: must be a string (found number 5)',
      'object.definition.title: is not a property the xAPI specification defines here',
    ]);
    // "chinese" is a well-formed (if unregistered) 5-8 letter language subtag; "zh_CN" is not well-formed.
    expect(messagesOf(withDefinition({ name: { zh_CN: '输入法' } }))).toEqual([
      'object.definition.name.zh_CN: language map keys must be RFC 5646 language tags (found "zh_CN")',
    ]);
  });

  it('rejects extension keys that are not IRIs but never their values', () => {
    expect(messagesOf(withDefinition({ extensions: { skill: 1, 'http://x.cn/e': null } }))).toEqual([
      'object.definition.extensions.skill: extension keys must be IRIs (found "skill")',
    ]);
  });
});

describe('Interaction activities (Data 2.4.4.1.s8-s16)', () => {
  const choices = [
    { id: 'mouse', description: { 'zh-CN': '鼠标' } },
    { id: 'keyboard', description: { 'zh-CN': '键盘' } },
  ];

  it.each([
    { interactionType: 'true-false', correctResponsesPattern: ['true'] },
    { interactionType: 'choice', correctResponsesPattern: ['mouse[,]keyboard'], choices },
    { interactionType: 'sequencing', choices },
    { interactionType: 'likert', scale: choices },
    { interactionType: 'matching', source: choices, target: [{ id: 'input' }] },
    { interactionType: 'performance', steps: [{ id: 'step1' }] },
    { interactionType: 'fill-in', correctResponsesPattern: ['{case_matters=false}拼音'] },
    { interactionType: 'numeric', correctResponsesPattern: ['4[:]'] },
    { interactionType: 'other', correctResponsesPattern: [] },
  ])('accepts %j', (definition) => {
    expect(messagesOf(withDefinition(definition))).toEqual([]);
  });

  it('requires a valid interactionType', () => {
    expect(messagesOf(withDefinition({ interactionType: 'multiple-choice' }))).toEqual([
      'object.definition.interactionType: must be one of "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing", "likert", "numeric", "other" (found "multiple-choice")',
    ]);
  });

  it('allows only the component lists of the interactionType', () => {
    expect(messagesOf(withDefinition({ interactionType: 'likert', choices }))).toEqual([
      'object.definition.choices: interactionType "likert" does not support the "choices" component list',
    ]);
    expect(rulesOf(withDefinition({ choices }))).toEqual(['interaction.component-list']);
    expect(rulesOf(withDefinition({ correctResponsesPattern: ['a'] }))).toEqual([
      'interaction.correct-responses',
    ]);
  });

  it('requires distinct component ids and an id on each component', () => {
    expect(
      messagesOf(withDefinition({ interactionType: 'choice', choices: [...choices, { id: 'mouse' }] })),
    ).toEqual([
      'object.definition.choices[2].id: interaction component ids must be distinct within a list (found "mouse" twice)',
    ]);
    expect(
      messagesOf(withDefinition({ interactionType: 'choice', choices: [{ description: { en: 'x' } }] })),
    ).toEqual(['object.definition.choices[0].id: is required']);
  });

  it('requires correctResponsesPattern to be an array of strings', () => {
    expect(messagesOf(withDefinition({ interactionType: 'numeric', correctResponsesPattern: [4] }))).toEqual([
      'object.definition.correctResponsesPattern[0]: must be a string (found number 4)',
    ]);
  });
});
