// Throughput of statement validation: JSON.parse + validateStatement versus JSON.parse alone on the same bytes.
// Run: node -r @swc-node/register bench/validation.ts [rounds] [seconds-per-measurement]
// Rounds alternate the two measurements and the medians are reported, so a noisy shared machine skews both alike.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateStatement } from '@app/xapi';
import { format, median, rate } from './measure';

const fixture = join(
  __dirname,
  '..',
  'test',
  'fixtures',
  'statements',
  'ok',
  'computer-module-2-completed.json',
);
// Compact bytes, as a client would send them.
const body = JSON.stringify(JSON.parse(readFileSync(fixture, 'utf8')));
const rounds = Number(process.argv[2] ?? '5');
const seconds = Number(process.argv[3] ?? '1');

let sink = 0;

function parseOnly(): void {
  sink += (JSON.parse(body) as { id: string }).id.length;
}

function parseAndValidate(): void {
  const result = validateStatement(JSON.parse(body));
  if (!result.ok) throw new Error(result.errors[0].message);
  sink += 1;
}

for (let i = 0; i < 20_000; i++) {
  parseOnly();
  parseAndValidate();
}
const parseRates: number[] = [];
const validateRates: number[] = [];
for (let round = 0; round < rounds; round++) {
  parseRates.push(rate(parseOnly, seconds));
  validateRates.push(rate(parseAndValidate, seconds));
}
const parse = median(parseRates);
const full = median(validateRates);
console.log(
  `statement: ${body.length} bytes (${fixture.split('/').slice(-2).join('/')}), ${rounds} rounds of ${seconds}s`,
);
console.log(
  `JSON.parse                       ${format(parse)} statements/s (median; best ${format(Math.max(...parseRates))})`,
);
console.log(
  `JSON.parse + validateStatement   ${format(full)} statements/s (median; best ${format(Math.max(...validateRates))})`,
);
console.log(`ratio: parse + validate takes ${(parse / full).toFixed(1)}x the time of JSON.parse alone`);
if (sink < 0) console.log(sink); // keeps the work observable to the optimiser
