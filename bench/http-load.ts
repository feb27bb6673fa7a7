/**
 * Closed-loop HTTP load on the Statement API: `connections` clients each POST arrays of `batch` small
 * statements until `total` are acknowledged; prints statements/s and the acknowledgement latency.
 *
 *   node -r @swc-node/register bench/http-load.ts [total=100000] [connections=8] [batch=50] \
 *     [url=http://127.0.0.1:8080] [user=k:s] [ids]
 *
 * With `ids`, every statement carries its own id (as most xAPI clients send), so the gateway checks each
 * id against the stored statements before it acknowledges.
 *
 * Start the target with a rate limit above the load, e.g. `XAPI_BOOTSTRAP_CREDENTIAL=k:s
 * XAPI_RATE_LIMIT_PER_SECOND=100000 DEMO=off npm start`.
 */
import { randomUUID } from 'node:crypto';

const [total, connections, batch] = [100_000, 8, 50].map((fallback, i) =>
  Number(process.argv[2 + i] ?? fallback),
);
const url = `${process.argv[5] ?? 'http://127.0.0.1:8080'}/xapi/statements`;
const authorization = `Basic ${Buffer.from(process.argv[6] ?? 'k:s').toString('base64')}`;

const withIds = process.argv[7] === 'ids';

const statement = (i: number) => ({
  ...(withIds && { id: randomUUID() }),
  actor: { mbox: `mailto:resident-${i % 500}@example.org` },
  verb: { id: 'http://adlnet.gov/expapi/verbs/attended', display: { 'zh-CN': '参加' } },
  object: { id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/1' },
});

async function main(): Promise<void> {
  let next = 0;
  let failed = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < total) {
        const first = next;
        next += batch;
        const body =
          batch === 1 ? statement(first) : Array.from({ length: batch }, (_, j) => statement(first + j));
        const sent = performance.now();
        const response = await fetch(url, {
          method: 'POST',
          headers: { authorization, 'x-experience-api-version': '1.0.3', 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        await response.text();
        if (response.status !== 200) failed += 1;
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))].toFixed(1);
  console.log(
    `${total} statements in ${seconds.toFixed(1)} s = ${Math.round(total / seconds)}/s; ` +
      `ack p50 ${at(0.5)} ms, p99 ${at(0.99)} ms; ${failed} requests not answered 200`,
  );
  if (failed > 0) process.exitCode = 1;
}

void main();
