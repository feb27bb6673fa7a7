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
