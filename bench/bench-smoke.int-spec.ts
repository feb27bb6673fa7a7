import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The benchmarks are not part of npm test, but a run with tiny sizes is, so they cannot rot. */
describe('npm run bench -- --smoke', () => {
  it('runs every benchmark to completion with tiny sizes', () => {
    const result = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, 'run.ts'), '--smoke'],
      {
        cwd: join(__dirname, '..'),
        env: process.env,
        encoding: 'utf8',
        timeout: 180_000,
      },
    );
    const output = `${result.stdout}\n${result.stderr}`;
    expect({ status: result.status, tail: output.slice(-2000) }).toEqual({
      status: 0,
      tail: expect.any(String),
    });
    expect(result.stdout).toMatch(/statements\/s/);
    expect(result.stdout).toMatch(/backbone \(Kafka → sink → chdb\): median \d+ statements\/s/);
  });
});
