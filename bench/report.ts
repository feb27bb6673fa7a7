/** The results of one `npm run bench`: a JSON file and a markdown section for BENCHMARKS.md. */
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatNumber, type Figure, type PartResult } from './figures';
import type { MachineInfo } from './machine';

export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly smoke: boolean;
  readonly options: Record<string, unknown>;
  readonly machine: MachineInfo;
  readonly parts: readonly PartResult[];
}

/** `2026-11-29T01-02-03Z`: sorts by time, safe in file names, unique per second. */
export function fileStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

export function writeResultsJson(dir: string, results: BenchResults): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${fileStamp(new Date(results.startedAt))}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

// One run (a single peak, or a percentile over rounds measured elsewhere) has no spread to show.
const spreadText = (f: Figure): string =>
  f.runs.length > 1 ? `${formatNumber(f.min)}–${formatNumber(f.max)}` : (f.note ?? '—');
const targetText = (f: Figure): string => (f.target ? f.target.label : '');
const resultText = (f: Figure): string => {
  if (!f.target) return '';
  const ratio = Number.isFinite(f.target.ratio) ? `${f.target.ratio.toFixed(2)}×` : '∞';
  return f.target.pass ? `pass (${ratio})` : `**miss** (${ratio})`;
};

export function markdownSection(
  results: BenchResults,
  jsonPath: string,
  profiles: readonly string[] = [],
): string {
  const m = results.machine;
  const lines = [
    '',
    `## ${results.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}${results.smoke ? ' (smoke run: tiny sizes, not a measurement)' : ''}`,
    '',
    `\`${results.command}\` — ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}; ` +
      `Node ${m.node}, Java ${m.java}, chdb ${m.chdb}, Kafka ${m.kafka}; load average at start ` +
      `${m.loadAverageAtStart.join(' ')}. Raw runs: \`${jsonPath}\`.`,
    '',
    'Each figure is the median of the runs after a warm-up, with the spread (min–max); the ratio is figure ÷ ' +
      'target for "at least" targets and target ÷ figure for "at most" ones (above 1 = met).',
    '',
    '| part | figure | median | spread (min–max) | runs | target | result |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const part of results.parts) {
    if (part.status !== 'ok') {
      lines.push(
        `| ${part.name} | **${part.status}**: ${(part.detail ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 300)} | | | | | |`,
      );
      continue;
    }
    for (const f of part.figures) {
      lines.push(
        `| ${part.name} | ${f.name} | ${formatNumber(f.median)} ${f.unit} | ${spreadText(f)} | ` +
          `${f.runs.length} | ${targetText(f)} | ${resultText(f)} |`,
      );
    }
  }
  const missed = results.parts.flatMap((part) => part.figures.filter((f) => f.target && !f.target.pass));
  lines.push(
    '',
    missed.length === 0
      ? 'Every measured figure with a target met it.'
      : `Missed: ${missed.map((f) => `${f.name} (${formatNumber(f.median)} ${f.unit}; ${f.target?.label})`).join('; ')}.`,
    '',
  );
  for (const profile of profiles) {
    lines.push('```text', profile, '```', '');
  }
  return lines.join('\n');
}

const HEADER = `# Benchmarks

Appended by \`npm run bench\` (see bench/README.md): one section per run, newest last. Targets are those of
issue 8 for a 2-core machine.
`;

export function appendMarkdown(file: string, section: string): void {
  mkdirSync(dirname(file), { recursive: true });
  if (!existsSync(file)) writeFileSync(file, HEADER);
  appendFileSync(file, section);
}
