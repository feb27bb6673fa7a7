import { KeyedMutex } from './keyed-mutex';

describe('KeyedMutex', () => {
  it('runs work for one key one at a time, in arrival order', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const first = mutex.run('doc', async () => {
      events.push('first:start');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      events.push('first:end');
    });
    const second = mutex.run('doc', async () => {
      events.push('second');
    });
    await Promise.resolve();
    expect(events).toEqual(['first:start']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(['first:start', 'first:end', 'second']);
    expect(mutex.size).toBe(0);
  });

  it('lets other keys run meanwhile, and a failure does not block the next in line', async () => {
    const mutex = new KeyedMutex();
    let release: () => void = () => undefined;
    const blocked = mutex.run('a', () => new Promise<void>((resolve) => (release = resolve)));
    await expect(mutex.run('b', async () => 'b done')).resolves.toBe('b done');
    const failing = mutex.run('a', async () => {
      throw new Error('boom');
    });
    const after = mutex.run('a', async () => 'after');
    release();
    await blocked;
    await expect(failing).rejects.toThrow('boom');
    await expect(after).resolves.toBe('after');
    expect(mutex.size).toBe(0);
  });
});
