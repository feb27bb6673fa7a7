// Part 1 of `npm run bench`: throughput of statement validation on one core, JSON.parse + validateStatement
// versus JSON.parse alone on the same bytes (the floor), over a mix of simulator statements with 10% invalid
// ones (the repository's not-ok fixtures and mutated simulator statements).
// Alone: node -r @swc-node/register bench/validation.ts [runs=5] [seconds-per-measurement=1]
// Runs alternate the two measurements, so load from other processes affects both alike.
import { validateStatement } from '@app/xapi';
import { validationMix } from './corpus';
import { figure, median, type Figure } from './figures';
import { rate } from './measure';

export interface ValidationOptions {
  readonly runs: number;
  readonly seconds: number;
  /** Statements in the mix (distinct bodies, cycled). */
  readonly mixSize?: number;
}

export interface ValidationOutcome {
  readonly figures: Figure[];
  readonly detail: string;
}

export function measureValidation(options: ValidationOptions): ValidationOutcome {
  const { bodies, invalid } = validationMix(options.mixSize ?? 2_000);
  const meanBytes = Math.round(bodies.reduce((sum, body) => sum + body.length, 0) / bodies.length);
  // The mix must be what it claims: exactly the invalid ones fail.
  const failing = bodies.filter((body) => !validateStatement(JSON.parse(body)).ok).length;
  if (failing !== invalid) {
    throw new Error(`validation mix: ${failing} statements fail validation, expected ${invalid}`);
  }
  let cursor = 0;
  let sink = 0;
  const parseOnly = (): void => {
    sink += (JSON.parse(bodies[cursor]) as object) === null ? 0 : 1;
    cursor = cursor + 1 === bodies.length ? 0 : cursor + 1;
  };
  const parseAndValidate = (): void => {
    sink += validateStatement(JSON.parse(bodies[cursor])).ok ? 1 : 2;
    cursor = cursor + 1 === bodies.length ? 0 : cursor + 1;
  };
  // Warm-up: the JIT settles on both paths before anything is counted.
  for (let i = 0; i < Math.min(20_000, bodies.length * 10); i++) {
    parseOnly();
    parseAndValidate();
  }
  const parseRates: number[] = [];
  const validateRates: number[] = [];
  const ratios: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const parse = rate(parseOnly, options.seconds);
    const full = rate(parseAndValidate, options.seconds);
    parseRates.push(parse);
    validateRates.push(full);
    ratios.push(parse / full);
  }
  if (sink < 0) console.log(sink); // keeps the work observable to the optimiser
  return {
    figures: [
      figure('JSON.parse + validateStatement', 'statements/s', validateRates, {
        target: { kind: 'min', value: 50_000, label: '≥ 50,000/s on one core' },
      }),
      figure('JSON.parse alone (the floor)', 'statements/s', parseRates),
      figure('parse + validate time ÷ JSON.parse time', 'x', ratios),
    ],
    detail:
      `${bodies.length} distinct bodies, ${invalid} invalid (${Math.round((invalid / bodies.length) * 100)}%), ` +
      `mean ${meanBytes} bytes; ${options.runs} runs of ${options.seconds} s each`,
  };
}

if (require.main === module) {
  const runs = Number(process.argv[2] ?? '5');
  const seconds = Number(process.argv[3] ?? '1');
  const outcome = measureValidation({ runs, seconds });
  console.log(outcome.detail);
  for (const f of outcome.figures) {
    console.log(`${f.name.padEnd(42)} ${Math.round(f.median).toLocaleString('en-US')} ${f.unit} (median)`);
  }
  console.log(`median of ratios ${median(outcome.figures[2].runs).toFixed(2)}`);
}
