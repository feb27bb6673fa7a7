/**
 * `npm run bench`: every benchmark in turn, each in its own process (chdb allows one data directory per
 * process, and a fresh process keeps one benchmark's heap out of the next one's figures).
 *
 *   npm run bench               full sizes
 *   npm run bench -- --smoke    tiny sizes: checks that every benchmark still runs (part of npm test)
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const smoke = process.argv.includes('--smoke');
const benches: { name: string; file: string; args: string[]; smokeArgs: string[] }[] = [
  { name: 'validation', file: 'validation.ts', args: ['7', '1'], smokeArgs: ['1', '0.05'] },
  { name: 'enrichment', file: 'enrichment.ts', args: ['5', '1'], smokeArgs: ['1', '0.05'] },
  { name: 'backbone', file: 'backbone.ts', args: ['50000', '3'], smokeArgs: ['200', '1'] },
];

let failed = 0;
for (const bench of benches) {
  console.log(`\n## ${bench.name}${smoke ? ' (smoke)' : ''}`);
  const result = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, bench.file), ...(smoke ? bench.smokeArgs : bench.args)],
    { stdio: 'inherit', env: process.env },
  );
  if (result.status !== 0) {
    failed += 1;
    console.error(`${bench.name} failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
