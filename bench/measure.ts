/** Timing helpers shared by the single-core microbenchmarks. */

/** Calls of `work` per second, measured for `seconds` in rounds of 1,000 calls. */
export function rate(work: () => void, seconds: number): number {
  let count = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 1_000; i++) work();
    count += 1_000;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - start) / 1e9);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export const format = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(10);
