/**
 * Group commit: calls that arrive while a commit is running wait and are then committed together, one
 * `commit` for all of them, and each caller gets its own share of the result. A lone call pays no extra
 * latency; under load, many partitions' batches cost one INSERT (one fsync) instead of one each.
 */
export function groupCommit<In, Out>(commit: (inputs: In[]) => Promise<Out[]>): (input: In) => Promise<Out> {
  let queue: { input: In; resolve: (out: Out) => void; reject: (error: unknown) => void }[] = [];
  let running = false;

  const drain = async (): Promise<void> => {
    running = true;
    try {
      while (queue.length > 0) {
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
