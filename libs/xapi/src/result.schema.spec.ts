import { messagesOf, rulesOf, withProps } from './spec-helpers';

describe('Result and Score (Data 2.4.5)', () => {
  it('accepts a full result', () => {
    const result = {
      score: { scaled: -1, raw: 0, min: -10, max: 10 },
      success: false,
      completion: true,
      response: '鼠标[,]键盘',
      duration: 'PT1H0M0.1S',
      extensions: { 'https://learn.jlp.cq.cn/xapi/ext/attempt': 3 },
    };
    expect(messagesOf(withProps({ result }))).toEqual([]);
  });

  it('keeps scaled within [-1, 1]', () => {
    expect(messagesOf(withProps({ result: { score: { scaled: 1.01 } } }))).toEqual([
      'result.score.scaled: must be between -1 and 1 inclusive (found 1.01)',
    ]);
    expect(rulesOf(withProps({ result: { score: { scaled: -1.5 } } }))).toEqual(['score.scaled-range']);
  });

  it('requires min < max and raw within them', () => {
    expect(messagesOf(withProps({ result: { score: { raw: 101, min: 0, max: 100 } } }))).toEqual([
      'result.score.raw: must not be greater than max (found raw 101, max 100)',
    ]);
    expect(messagesOf(withProps({ result: { score: { raw: -1, min: 0 } } }))).toEqual([
      'result.score.raw: must not be less than min (found raw -1, min 0)',
    ]);
    expect(messagesOf(withProps({ result: { score: { min: 5, max: 5 } } }))).toEqual([
      'result.score.min: must be less than max (found min 5, max 5)',
    ]);
  });

  it('rejects strings where numbers and booleans are required', () => {
    expect(messagesOf(withProps({ result: { score: { raw: '86' }, success: 'true' } }))).toEqual([
      'result.score.raw: must be a number (found string "86")',
      'result.success: must be a boolean (found string "true")',
    ]);
  });

  it('requires an ISO 8601 duration', () => {
    expect(messagesOf(withProps({ result: { duration: 'P4W1D' } }))).toEqual([
      'result.duration: must be an ISO 8601 duration (e.g. PT1H30M) (found "P4W1D")',
    ]);
    expect(rulesOf(withProps({ result: { duration: 12345 } }))).toEqual(['type']);
  });

  it('rejects unknown result and score properties', () => {
    expect(rulesOf(withProps({ result: { score: { percent: 86 }, grade: 'A' } }))).toEqual([
      'unknown-property',
      'unknown-property',
    ]);
  });
});
