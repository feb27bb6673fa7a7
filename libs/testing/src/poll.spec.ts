import { expectEventually, pollUntil, PollTimeoutError } from './poll';

describe('pollUntil', () => {
  it('resolves with the first value that is not undefined, null or false', async () => {
    let calls = 0;
    const value = await pollUntil(
      () => {
        calls += 1;
        return calls < 3 ? undefined : { calls };
      },
      { intervalMs: 1, description: 'third call' },
    );
    expect(value).toEqual({ calls: 3 });
  });

  it('treats a throwing probe as not yet ready and keeps polling', async () => {
    let calls = 0;
    const value = await pollUntil(
      async () => {
        calls += 1;
        if (calls < 2) throw new Error('not up yet');
        return 'up';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('up');
  });

  it('times out with the description and the last probe error', async () => {
    const failure = pollUntil(
      () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 30, intervalMs: 5, description: 'the broker' },
    );
    await expect(failure).rejects.toThrow(PollTimeoutError);
    await expect(failure).rejects.toThrow(/waiting for the broker; last attempt failed: connection refused/);
  });

  it('times out when the condition stays false', async () => {
    await expect(pollUntil(() => false, { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow(
      /the condition never held/,
    );
  });
});

describe('expectEventually', () => {
  it('returns once the assertion stops throwing', async () => {
    let counter = 0;
    const result = await expectEventually(
      () => {
        counter += 1;
        expect(counter).toBeGreaterThanOrEqual(3);
        return counter;
      },
      { intervalMs: 1 },
    );
    expect(result).toBe(3);
  });

  it('rethrows the last assertion error on timeout', async () => {
    await expect(
      expectEventually(() => expect(1).toBe(2), { timeoutMs: 20, intervalMs: 5, description: 'one is two' }),
    ).rejects.toThrow(/Still failing after 20 ms \(one is two\)[\s\S]*Expected: 2/);
  });
});

describe('pollUntil with a probe that never settles', () => {
  it('still gives up at the deadline', async () => {
    const started = Date.now();
    await expect(
      pollUntil(() => new Promise<boolean>(() => undefined), { timeoutMs: 50, description: 'a hung probe' }),
    ).rejects.toThrow(/waiting for a hung probe; last attempt failed: the last attempt was still pending/);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
