/**
 * Where the time goes in a V8 .cpuprofile (from `npm run bench -- --profile`): self time per function and
 * per package/area, so a missed target can be attributed without opening DevTools.
 *
 *   node -r @swc-node/register bench/profile-summary.ts bench/results/profile-…/kafka-server.cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const CpuProfileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

export interface ProfileLine {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  /** Sampled time of the JS thread, and the part of it spent idle (waiting for I/O or other threads). */
  readonly totalMs: number;
  readonly idleMs: number;
  readonly functions: ProfileLine[];
  readonly areas: ProfileLine[];
}

/** node_modules/<package>, the repository's libs/<name> or apps/<name>, node: internals, or the V8 states. */
function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/((?:libs|apps|bench)\/[^/]+)\//.exec(url);
  if (own) return own[1];
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const profile = CpuProfileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    // Shares are of the busy time: idle is waiting (for I/O, or for chdb's own threads).
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const where = frame.url
      ? `${frame.url.replace(/^.*\/(node_modules|libs|apps|bench)\//, '$1/')}:${frame.lineNumber + 1}`
      : '';
    const name = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const lines = (map: Map<string, number>): ProfileLine[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: total === idle ? 0 : us / (total - idle) }));
  return { totalMs: total / 1000, idleMs: idle / 1000, functions: lines(functions), areas: lines(areas) };
}

export function formatProfileSummary(summary: ProfileSummary): string {
  const row = (line: ProfileLine): string =>
    `${(line.share * 100).toFixed(1).padStart(5)}%  ${line.ms.toFixed(0).padStart(8)} ms  ${line.name}`;
  return [
    `JS thread sampled ${(summary.totalMs / 1000).toFixed(1)} s, idle ${(summary.idleMs / 1000).toFixed(1)} s ` +
      "(chdb's engine threads and libuv's pool are not sampled: compare with the CPU-seconds per 1,000)",
    'self time by area (share of the busy time):',
    ...summary.areas.map(row),
    'self time by function:',
    ...summary.functions.map(row),
  ].join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
  console.log(formatProfileSummary(summarizeProfile(file, Number(process.argv[3] ?? 25))));
}
