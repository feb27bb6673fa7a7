/** What a result depends on besides the code: the machine and the versions of the moving parts. */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { KAFKA_INFRA_DIR } from '@app/testing';

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly os: string;
  readonly loadAverageAtStart: readonly number[];
  readonly node: string;
  readonly java: string;
  /** The chdb npm package and the ClickHouse engine inside it. */
  readonly chdb: string;
  readonly kafka: string;
}

function javaVersion(): string {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) return 'not installed';
  return /version "([^"]+)"/.exec(result.stderr)?.[1] ?? result.stderr.split('\n')[0];
}

function kafkaVersion(): string {
  try {
    const jar = readdirSync(join(KAFKA_INFRA_DIR, 'lib')).find((name) =>
      /^kafka_[\d.]+-[\d.]+\.jar$/.test(name),
    );
    return jar ? jar.replace(/^kafka_[\d.]+-/, '').replace(/\.jar$/, '') : 'jars not fetched';
  } catch {
    return 'jars not fetched';
  }
}

function chdbVersion(): string {
  // The engine version needs a query; in a child process, so this process never loads chdb itself (it
  // allows one data directory per process, and the freshness part's children open their own).
  const result = spawnSync(
    process.execPath,
    [
      '-e',
      "const c=require('chdb');process.stdout.write(require('chdb/package.json').version+' (engine '+c.query('SELECT version()','TSV').trim()+')')",
    ],
    { encoding: 'utf8' },
  );
  return result.status === 0 ? result.stdout : `unknown (${result.stderr.split('\n')[0]})`;
}

export function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${process.platform} ${release()}`,
    loadAverageAtStart: loadavg().map((n) => Math.round(n * 100) / 100),
    node: process.version,
    java: javaVersion(),
    chdb: chdbVersion(),
    kafka: kafkaVersion(),
  };
}
