import { groupCommit } from './group-commit';

describe('groupCommit', () => {
  it('runs a lone call at once and merges the calls that arrive while a commit runs', async () => {
    const commits: number[][] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const submit = groupCommit(async (inputs: number[]) => {
      commits.push(inputs);
      if (commits.length === 1) await held;
      return inputs.map((n) => n * 10);
    });
    const first = submit(1);
    const later = [submit(2), submit(3), submit(4)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(commits).toEqual([[1]]);
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
    expect(commits).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects every caller of a failed commit, and the next commit still runs', async () => {
    let fail = true;
    const submit = groupCommit(async (inputs: string[]) => {
      if (fail) throw new Error('warehouse unavailable');
      return inputs;
    });
    const [a, b] = [submit('a'), submit('b')];
    await expect(a).rejects.toThrow('warehouse unavailable');
    await expect(b).rejects.toThrow('warehouse unavailable');
    fail = false;
    expect(await submit('c')).toBe('c');
  });
});

describe('groupCommit with a minimum interval', () => {
  it('commits a call after a quiet spell at once and gathers the calls of the interval into the next commit', async () => {
    const commits: { inputs: number[]; at: number }[] = [];
    const submit = groupCommit(
      async (inputs: number[]) => {
        commits.push({ inputs, at: performance.now() });
        return inputs;
      },
      { minIntervalMs: 300 },
    );
    const started = performance.now();
    expect(await submit(1)).toBe(1);
    expect(commits[0].at - started).toBeLessThan(200);
    // Arriving one after another right after a commit: they wait for the interval and share one commit.
    const later = [submit(2), submit(3)];
    await new Promise((resolve) => setTimeout(resolve, 10));
    later.push(submit(4));
    expect(await Promise.all(later)).toEqual([2, 3, 4]);
    expect(commits.map((c) => c.inputs)).toEqual([[1], [2, 3, 4]]);
    expect(commits[1].at - commits[0].at).toBeGreaterThanOrEqual(299);
  });
});
