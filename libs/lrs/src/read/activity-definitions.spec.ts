import { mergeActivityDefinitions } from './activity-definitions';

describe('mergeActivityDefinitions', () => {
  it('answers one definition as it was sent', () => {
    const definition = {
      type: 'http://adlnet.gov/expapi/activities/meeting',
      name: { 'en-GB': 'example meeting', 'en-US': 'example meeting' },
      moreInfo: 'http://virtualmeeting.example.com/345256',
      extensions: { 'http://example.com/location': 'X:\\meetings\\minutes\\examplemeeting.one' },
    };
    expect(mergeActivityDefinitions([definition])).toEqual(definition);
  });

  it('merges language maps and extensions key by key; other members: the later wins', () => {
    expect(
      mergeActivityDefinitions([
        {
          type: 'http://example.com/old-type',
          name: { 'en-GB': 'old', 'en-US': 'example meeting' },
          extensions: { 'http://e/a': 1, 'http://e/b': 2 },
          choices: [{ id: 'a', description: { en: 'A' } }],
        },
        {
          type: 'http://example.com/new-type',
          name: { 'en-GB': 'new', 'fr-FR': 'réunion' },
          extensions: { 'http://e/b': 3 },
          choices: [{ id: 'b', description: { en: 'B' } }],
        },
      ]),
    ).toEqual({
      type: 'http://example.com/new-type',
      name: { 'en-GB': 'new', 'en-US': 'example meeting', 'fr-FR': 'réunion' },
      extensions: { 'http://e/a': 1, 'http://e/b': 3 },
      choices: [{ id: 'b', description: { en: 'B' } }],
    });
  });

  it('answers undefined without any definition', () => {
    expect(mergeActivityDefinitions([])).toBeUndefined();
  });
});
