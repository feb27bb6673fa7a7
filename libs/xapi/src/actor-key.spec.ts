import { AnonymousGroupError, actorKey, isIdentifiedActor, mboxSha1sum } from './actor-key';

describe('actorKey', () => {
  it('builds one key per identifier kind', () => {
    expect(actorKey({ mbox: 'mailto:Zhang.Wei@JLP.CQ.CN' })).toBe('mbox:mailto:Zhang.Wei@jlp.cq.cn');
    expect(actorKey({ mbox_sha1sum: 'CD9B00A5611F94EAA7B1661EDAB976068E364975' })).toBe(
      'mbox_sha1sum:cd9b00a5611f94eaa7b1661edab976068e364975',
    );
    expect(actorKey({ openid: 'http://openid.example.org/12345' })).toBe(
      'openid:http://openid.example.org/12345',
    );
    expect(
      actorKey({ name: '张伟', account: { homePage: 'https://learn.jlp.cq.cn', name: 'learner-4f7a' } }),
    ).toBe('account:https://learn.jlp.cq.cn|learner-4f7a');
  });

  it('gives the same key whatever the name or objectType', () => {
    const a = actorKey({ objectType: 'Agent', name: 'A', mbox: 'mailto:x@y.cn' });
    expect(actorKey({ name: 'B', mbox: 'mailto:x@Y.cn' })).toBe(a);
  });

  it('keys identified Groups and refuses anonymous ones', () => {
    expect(
      actorKey({ objectType: 'Group', account: { homePage: 'https://learn.jlp.cq.cn', name: 'class-7' } }),
    ).toBe('account:https://learn.jlp.cq.cn|class-7');
    const anonymous = { objectType: 'Group' as const, member: [{ mbox: 'mailto:a@b.cn' }] };
    expect(isIdentifiedActor(anonymous)).toBe(false);
    expect(() => actorKey(anonymous)).toThrow(AnonymousGroupError);
  });

  it('computes the mbox_sha1sum a client would send', () => {
    expect(mboxSha1sum('mailto:xapi@adlnet.gov')).toMatch(/^[0-9a-f]{40}$/);
    expect(mboxSha1sum('mailto:xapi@ADLNET.gov')).toBe(mboxSha1sum('mailto:xapi@adlnet.gov'));
  });
});
