export interface GroupCommitOptions {
  /**
   * A commit starts no sooner than this long after the previous one started. A call after a quiet spell
   * is committed at once; under load the calls of the interval share one commit. For writes whose fixed
   * cost dwarfs their per-row cost (a ClickHouse INSERT fires every materialized view and writes a part per
   * table), this trades a bounded delay for far fewer commits. Default 0: commit as soon as the last ends.
   */
  readonly minIntervalMs?: number;
}

/**
 * Group commit: calls that arrive while a commit is running wait and are then committed together, one
 * `commit` for all of them, and each caller gets its own share of the result. A lone call pays no extra
 * latency; under load, many partitions' batches cost one INSERT (one fsync) instead of one each.
 */
export function groupCommit<In, Out>(
  commit: (inputs: In[]) => Promise<Out[]>,
  options: GroupCommitOptions = {},
): (input: In) => Promise<Out> {
  const minIntervalMs = options.minIntervalMs ?? 0;
  let queue: { input: In; resolve: (out: Out) => void; reject: (error: unknown) => void }[] = [];
  let running = false;
  let lastStart = Number.NEGATIVE_INFINITY;

  const drain = async (): Promise<void> => {
    running = true;
    try {
      while (queue.length > 0) {
        // A timer may fire a fraction of a millisecond early by this clock: wait until the interval is over.
        for (let wait = lastStart + minIntervalMs - performance.now(); wait > 0;) {
          await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
          wait = lastStart + minIntervalMs - performance.now();
        }
        lastStart = performance.now();
        const group = queue;
        queue = [];
        try {
          const outputs = await commit(group.map((entry) => entry.input));
          if (outputs.length !== group.length) {
            throw new Error(`group commit returned ${outputs.length} results for ${group.length} inputs`);
          }
          group.forEach((entry, i) => entry.resolve(outputs[i]));
        } catch (error) {
          for (const entry of group) entry.reject(error);
        }
      }
    } finally {
      running = false;
    }
  };

  return (input) =>
    new Promise<Out>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      if (!running) void drain();
    });
}
