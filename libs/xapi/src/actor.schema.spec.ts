import { actorSchema, agentSchema } from './actor.schema';
import { messagesOf, rulesOf, withProps } from './spec-helpers';

const account = { homePage: 'https://learn.jlp.cq.cn', name: 'learner-4f7a9c2e' };

describe('Agent (Data 2.4.2.1)', () => {
  it.each([
    { mbox: 'mailto:zhang@jlp.cq.cn' },
    { mbox_sha1sum: 'cd9b00a5611f94eaa7b1661edab976068e364975' },
    { openid: 'http://openid.example.org/12345' },
    { account },
    { objectType: 'Agent', name: '张伟', account },
  ])('accepts an Agent identified by %j', (actor) => {
    expect(messagesOf(withProps({ actor }))).toEqual([]);
  });

  it('rejects an Agent with two identifiers, naming both', () => {
    expect(messagesOf(withProps({ actor: { mbox: 'mailto:a@b.cn', account } }))).toEqual([
      'actor: an Agent must have exactly one of mbox, mbox_sha1sum, openid, account (found 2: mbox, account)',
    ]);
  });

  it('rejects an Agent without an identifier', () => {
    expect(messagesOf(withProps({ actor: { name: '张伟' } }))).toEqual([
      'actor: an Agent must have exactly one of mbox, mbox_sha1sum, openid, account (found 0)',
    ]);
  });

  it('checks each identifier format', () => {
    expect(messagesOf(withProps({ actor: { mbox: 'zhang@jlp.cq.cn' } }))).toEqual([
      'actor.mbox: must be a mailto IRI (mailto:name@domain) (found "zhang@jlp.cq.cn")',
    ]);
    expect(rulesOf(withProps({ actor: { mbox_sha1sum: 'abc' } }))).toEqual(['format.sha1']);
    expect(rulesOf(withProps({ actor: { openid: 'not an iri' } }))).toEqual(['format.iri']);
    expect(rulesOf(withProps({ actor: { account: { homePage: 'learn.jlp.cq.cn', name: 'x' } } }))).toEqual([
      'format.irl',
    ]);
  });

  it('requires account homePage and name, and nothing else in an account', () => {
    expect(messagesOf(withProps({ actor: { account: { name: 'x', Name: 'y' } } }))).toEqual([
      'actor.account.homePage: is required',
      'actor.account.Name: is not a property the xAPI specification defines here',
    ]);
  });

  it('rejects a lower-case objectType and unknown properties', () => {
    expect(messagesOf(withProps({ actor: { objectType: 'agent', mbox: 'mailto:a@b.cn' } }))).toEqual([
      'actor.objectType: must be one of Agent, Group (found "agent")',
    ]);
    expect(rulesOf(withProps({ actor: { mbox: 'mailto:a@b.cn', age: 67 } }))).toEqual(['unknown-property']);
  });

  it('rejects null and wrong types', () => {
    expect(messagesOf(withProps({ actor: { mbox: 'mailto:a@b.cn', name: null } }))).toEqual([
      'actor.name: must be a string (found null)',
    ]);
    expect(messagesOf(withProps({ actor: { mbox: 'mailto:a@b.cn', name: 123 } }))).toEqual([
      'actor.name: must be a string (found number 123)',
    ]);
  });

  it('defaults a missing objectType to Agent', () => {
    expect(agentSchema.safeParse({ mbox: 'mailto:a@b.cn' }).success).toBe(true);
    expect(actorSchema.safeParse({ mbox: 'mailto:a@b.cn' }).success).toBe(true);
  });
});

describe('Group (Data 2.4.2.2)', () => {
  const member = [{ mbox: 'mailto:li@jlp.cq.cn' }, { account }];

  it('accepts an anonymous Group with members and an identified Group with or without them', () => {
    expect(messagesOf(withProps({ actor: { objectType: 'Group', member } }))).toEqual([]);
    expect(messagesOf(withProps({ actor: { objectType: 'Group', name: '盘龙社区班', account } }))).toEqual(
      [],
    );
    expect(
      messagesOf(withProps({ actor: { objectType: 'Group', member, mbox: 'mailto:class@jlp.cq.cn' } })),
    ).toEqual([]);
  });

  it('requires members in an anonymous Group', () => {
    expect(messagesOf(withProps({ actor: { objectType: 'Group', name: 'x' } }))).toEqual([
      'actor: an anonymous Group (no mbox, mbox_sha1sum, openid or account) must have a member list',
    ]);
  });

  it('allows at most one identifier on a Group', () => {
    expect(
      messagesOf(
        withProps({ actor: { objectType: 'Group', account, openid: 'http://openid.example.org/1' } }),
      ),
    ).toEqual([
      'actor: an identified Group must have exactly one of mbox, mbox_sha1sum, openid, account (found 2: openid, account)',
    ]);
  });

  it('rejects Groups inside member and validates each member as an Agent', () => {
    expect(
      messagesOf(
        withProps({
          actor: { objectType: 'Group', member: [{ objectType: 'Group', member }, { name: 'x' }] },
        }),
      ),
    ).toEqual([
      'actor.member[0].objectType: must be "Agent" (found "Group")',
      'actor.member[0].member: is not a property the xAPI specification defines here',
      'actor.member[0]: an Agent must have exactly one of mbox, mbox_sha1sum, openid, account (found 0)',
      'actor.member[1]: an Agent must have exactly one of mbox, mbox_sha1sum, openid, account (found 0)',
    ]);
  });

  it('requires objectType Group for a Group', () => {
    expect(rulesOf(withProps({ actor: { member } }))).toContain('unknown-property');
  });
});

describe('Authority (Data 2.4.9)', () => {
  const consumer = {
    account: { homePage: 'http://example.com/xAPI/OAuth/Token', name: 'oauth_consumer_x75db' },
  };
  const user = { mbox: 'mailto:teacher@jlp.cq.cn' };

  it('accepts an Agent or an anonymous Group of two Agents', () => {
    expect(messagesOf(withProps({ authority: user }))).toEqual([]);
    expect(messagesOf(withProps({ authority: { objectType: 'Group', member: [consumer, user] } }))).toEqual(
      [],
    );
  });

  it('rejects other Groups', () => {
    expect(messagesOf(withProps({ authority: { objectType: 'Group', member: [consumer] } }))).toEqual([
      'authority.member: an authority Group must have exactly two Agents, the application and the user (found 1)',
    ]);
    expect(
      rulesOf(withProps({ authority: { objectType: 'Group', member: [consumer, user], ...user } })),
    ).toEqual(['authority.anonymous-group']);
  });
});
