import { uniqueTopic } from './unique-topic';

describe('uniqueTopic', () => {
  it('prefixes, never repeats and only uses characters Kafka accepts', () => {
    const names = Array.from({ length: 100 }, () => uniqueTopic('xapi statements/raw'));
    expect(new Set(names).size).toBe(100);
    for (const name of names) {
      expect(name).toMatch(/^xapi_statements_raw-[a-z0-9]+-[0-9a-f]{8}$/);
    }
  });

  it('stays within the 249-character topic limit', () => {
    expect(uniqueTopic('p'.repeat(400)).length).toBeLessThanOrEqual(249);
  });
});
