import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * Runs a bench script (TypeScript, through @swc-node/register) as a child process and returns the JSON of its
 * first stdout line that starts with `prefix`; rejects with the tail of its output when it exits without one.
 */
export function runChildScript(
  file: string,
  args: readonly string[],
  prefix: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['-r', '@swc-node/register', file, ...args], {
      cwd: join(__dirname, '..'),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-5_000)));
    proc.on('exit', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(prefix));
      if (code !== 0 || !line)
        reject(new Error(`${file} exited ${code}:\n${stderr}\n${stdout.slice(-2_000)}`));
      else resolve(JSON.parse(line.slice(prefix.length)));
    });
  });
}
