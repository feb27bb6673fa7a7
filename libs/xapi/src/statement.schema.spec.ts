import { messagesOf, rulesOf, withProps } from './spec-helpers';
import { parseStatement, validateStatement } from './validate';

const attachment = {
  usageType: 'http://adlnet.gov/expapi/attachments/certificate',
  display: { 'zh-CN': '结业证书', 'en-US': 'Certificate' },
  description: { 'zh-CN': '计算机基础课程结业证书' },
  contentType: 'application/pdf',
  length: 43210,
  sha2: '495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a',
  fileUrl: 'https://learn.jlp.cq.cn/certificates/4f7a.pdf',
};

describe('Statement (Data 2.2, 2.4)', () => {
  it('requires actor, verb and object', () => {
    expect(messagesOf({})).toEqual(['actor: is required', 'verb: is required', 'object: is required']);
  });

  it('rejects non-objects', () => {
    expect(messagesOf('statement')).toEqual(['statement: must be an object (found string "statement")']);
    expect(messagesOf([])).toEqual(['statement: must be an object (found array)']);
  });

  it('rejects properties the specification does not define, including wrong case', () => {
    expect(messagesOf(withProps({ Verb: {}, comment: 'x' }))).toEqual([
      'Verb: is not a property the xAPI specification defines here',
      'comment: is not a property the xAPI specification defines here',
    ]);
  });

  it('rejects null values outside extensions', () => {
    expect(rulesOf(withProps({ result: null }))).toEqual(['type']);
    expect(messagesOf(withProps({ result: { extensions: { 'http://x.cn/e': null } } }))).toEqual([]);
  });

  it('reports a "__proto__" key in a map instead of silently dropping it', () => {
    const statement = JSON.parse(
      '{"actor":{"mbox":"mailto:a@b.cn"},"verb":{"id":"http://x.cn/v","display":{"__proto__":"x"}},' +
        '"object":{"id":"http://x.cn/o"},"result":{"extensions":{"__proto__":{"x":1}}}}',
    ) as unknown;
    expect(messagesOf(statement)).toEqual([
      'verb.display.__proto__: language map keys must be RFC 5646 language tags (found "__proto__")',
      'result.extensions.__proto__: extension keys must be IRIs (found "__proto__")',
    ]);
  });

  it('collects every error of a statement', () => {
    const statement = {
      id: 'not-a-uuid',
      actor: { mbox: 'mailto:a@b.cn', openid: 'http://openid.example.org/1' },
      verb: { id: 'attended' },
      object: { id: 'https://learn.jlp.cq.cn/a', definition: { name: { zh_CN: '课' } } },
      result: { score: { scaled: 2 } },
      timestamp: '2024-05-11 09:42',
    };
    expect(messagesOf(statement)).toEqual([
      'id: must be a UUID in standard string form (found "not-a-uuid")',
      'actor: an Agent must have exactly one of mbox, mbox_sha1sum, openid, account (found 2: mbox, openid)',
      'verb.id: must be an IRI with a scheme (found "attended")',
      'object.definition.name.zh_CN: language map keys must be RFC 5646 language tags (found "zh_CN")',
      'result.score.scaled: must be between -1 and 1 inclusive (found 2)',
      'timestamp: must be an ISO 8601 timestamp with a time zone (e.g. 2024-05-01T08:30:00.000Z) (found "2024-05-11 09:42")',
    ]);
  });

  it('validates verbs: IRI id and language-map display', () => {
    expect(messagesOf(withProps({ verb: { display: { 'zh-CN': '参加了' } } }))).toEqual([
      'verb.id: is required',
    ]);
    expect(
      messagesOf(withProps({ verb: { id: 'http://adlnet.gov/expapi/verbs/attended', display: '参加了' } })),
    ).toEqual(['verb.display: must be an object (found string "参加了")']);
  });

  it('accepts version 1.0.x only', () => {
    expect(messagesOf(withProps({ version: '1.0.0' }))).toEqual([]);
    expect(messagesOf(withProps({ version: '1.0.9' }))).toEqual([]);
    expect(messagesOf(withProps({ version: '1.1.0' }))).toEqual([
      'version: must be a 1.0.x version (e.g. 1.0.0) (found "1.1.0")',
    ]);
    expect(rulesOf(withProps({ version: '2.0.0' }))).toEqual(['version']);
    expect(messagesOf(withProps({ version: '2.0.0' }), { version: '2.0.0' })).toEqual([]);
  });

  it('keeps timestamps exactly as sent (microseconds included)', () => {
    const statement = parseStatement(
      withProps({ timestamp: '2024-05-11T09:42:17.123456+08:00', stored: '2024-05-11T01:42:18.000001Z' }),
    );
    expect(statement.timestamp).toBe('2024-05-11T09:42:17.123456+08:00');
    expect(statement.stored).toBe('2024-05-11T01:42:18.000001Z');
  });

  it('uses RFC 3339 timestamps under xAPI 2.0', () => {
    expect(messagesOf(withProps({ timestamp: '2024-05-11T09:42+08:00' }))).toEqual([]);
    expect(messagesOf(withProps({ timestamp: '2024-05-11T09:42+08:00' }), { version: '2.0.0' })).toEqual([
      'timestamp: must be an RFC 3339 timestamp (e.g. 2024-05-01T08:30:00.000Z) (found "2024-05-11T09:42+08:00")',
    ]);
  });

  it('validates attachments', () => {
    expect(messagesOf(withProps({ attachments: [attachment] }))).toEqual([]);
    expect(
      messagesOf(
        withProps({
          attachments: [{ ...attachment, length: -1, sha2: 'xyz', contentType: 'pdf', display: undefined }],
        }),
      ),
    ).toEqual([
      'attachments[0].display: is required',
      'attachments[0].contentType: must be an Internet Media Type (found "pdf")',
      'attachments[0].length: must be at least 0 (found number -1)',
      'attachments[0].sha2: must be a hex-encoded SHA-2 hash (found "xyz")',
    ]);
    expect(rulesOf(withProps({ attachments: [{ ...attachment, length: 1.5 }] }))).toEqual(['type']);
  });
});

describe('Statement objects (Data 2.4.4)', () => {
  it('requires objectType on Agent and Group objects', () => {
    expect(messagesOf(withProps({ object: { objectType: 'Agent', mbox: 'mailto:peer@jlp.cq.cn' } }))).toEqual(
      [],
    );
    expect(rulesOf(withProps({ object: { mbox: 'mailto:peer@jlp.cq.cn' } }))).toEqual([
      'required',
      'unknown-property',
    ]);
  });

  it('rejects unknown objectTypes with the allowed list', () => {
    expect(messagesOf(withProps({ object: { objectType: 'statementref', id: 'x' } }))).toEqual([
      'object.objectType: must be one of Activity, Agent, Group, StatementRef, SubStatement (found "statementref")',
    ]);
  });

  it('requires a UUID in a StatementRef', () => {
    expect(messagesOf(withProps({ object: { objectType: 'StatementRef', id: 'http://x.cn/1' } }))).toEqual([
      'object.id: must be a UUID in standard string form (found "http://x.cn/1")',
    ]);
  });

  it('requires voiding statements to reference a statement', () => {
    const verb = { id: 'http://adlnet.gov/expapi/verbs/voided' };
    expect(
      messagesOf(
        withProps({
          verb,
          object: { objectType: 'StatementRef', id: '3f0c2a1e-8b7d-4c55-9a0e-5d2b7c1f4e61' },
        }),
      ),
    ).toEqual([]);
    expect(messagesOf(withProps({ verb }))).toEqual([
      'object: a voiding Statement (verb http://adlnet.gov/expapi/verbs/voided) must have a StatementRef object (found Activity)',
    ]);
  });
});

describe('SubStatement (Data 2.4.4.3)', () => {
  const sub = {
    objectType: 'SubStatement',
    actor: { mbox: 'mailto:learner@jlp.cq.cn' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/attended' },
    object: { id: 'https://learn.jlp.cq.cn/xapi/activities/class/next-week' },
    timestamp: '2030-01-01T09:00:00+08:00',
  };

  it('accepts a SubStatement validated as a Statement (future timestamp allowed)', () => {
    const result = validateStatement(
      withProps({ verb: { id: 'http://adlnet.gov/expapi/verbs/planned' }, object: sub }),
    );
    expect(result.ok).toBe(true);
  });

  it('rejects id, stored, version and authority in a SubStatement', () => {
    const object = {
      ...sub,
      id: '3f0c2a1e-8b7d-4c55-9a0e-5d2b7c1f4e61',
      stored: sub.timestamp,
      version: '1.0.0',
      authority: sub.actor,
    };
    expect(messagesOf(withProps({ object }))).toEqual([
      'object.id: a SubStatement must not have "id"',
      'object.stored: a SubStatement must not have "stored"',
      'object.version: a SubStatement must not have "version"',
      'object.authority: a SubStatement must not have "authority"',
    ]);
  });

  it('rejects a nested SubStatement', () => {
    expect(messagesOf(withProps({ object: { ...sub, object: sub } }))).toEqual([
      'object.object: a SubStatement must not contain another SubStatement',
    ]);
  });

  it('validates the SubStatement parts like a Statement', () => {
    const object = {
      ...sub,
      actor: { objectType: 'agent' },
      object: { objectType: 'Agent', mbox: 'mailto:a@b.cn' },
      context: { platform: 'app', contextActivities: { parent: { id: 'https://learn.jlp.cq.cn/c' } } },
    };
    expect(messagesOf(withProps({ object }))).toEqual([
      'object.actor.objectType: must be one of Agent, Group (found "agent")',
      'object.context.platform: "platform" is only allowed when the object is an Activity (found object of type Agent)',
    ]);
  });

  it('normalises contextActivities inside a SubStatement', () => {
    const object = {
      ...sub,
      context: { contextActivities: { parent: { id: 'https://learn.jlp.cq.cn/c' } } },
    };
    const statement = parseStatement(withProps({ object }));
    expect(
      statement.object.objectType === 'SubStatement' && statement.object.context?.contextActivities?.parent,
    ).toEqual([{ id: 'https://learn.jlp.cq.cn/c' }]);
  });
});
