/**
 * Real-shaped statements for the benchmarks: the simulator's district (account actors, zh-CN names,
 * context activities, scores, durations, learning-point extensions), plus invalid ones for the validation
 * mix: the repository's not-ok fixtures and simulator statements broken the ways clients break them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReferenceIndex, loadReferenceDataSync } from '@app/reference';
import { simulateDistrict, type SimulatedStatement } from '@app/simulator';

const NOT_OK_DIR = join(__dirname, '..', 'test', 'fixtures', 'statements', 'not-ok');

/** Simulated statements without their ids (senders give each one a fresh id, so repeats never conflict). */
export function simulatedStatements(count: number, seed = 'bench'): Omit<SimulatedStatement, 'id'>[] {
  const reference = new ReferenceIndex(loadReferenceDataSync());
  const out: Omit<SimulatedStatement, 'id'>[] = [];
  // About 40 statements per learner over 30 days; grow the district until there are enough.
  for (let learners = Math.max(20, Math.ceil(count / 30)); out.length < count; learners *= 2) {
    out.length = 0;
    const simulation = simulateDistrict({
      seed,
      learners,
      days: 30,
      start: new Date('2026-09-01T00:00:00+08:00'),
      reference,
    });
    for (const routed of simulation.statements) {
      if (out.length === count) break;
      const { id: _id, ...statement } = routed.statement;
      out.push(statement);
    }
  }
  return out;
}

/** Ways real clients get a statement wrong, applied to a valid one. */
const MUTATIONS: readonly ((s: Record<string, unknown>) => Record<string, unknown>)[] = [
  ({ verb: _verb, ...rest }) => rest,
  (s) => ({ ...s, timestamp: '2026-09-01T10:00:00' }),
  (s) => ({ ...s, actor: { mbox: 'resident@example.org' } }),
  (s) => ({ ...s, id: 'not-a-uuid' }),
  (s) => ({ ...s, object: { objectType: 'Activity', id: 'lesson 3' } }),
  (s) => ({ ...s, result: { score: { scaled: 1.5 } } }),
  (s) => ({ ...s, result: { duration: '45 minutes' } }),
  (s) => ({ ...s, context: { ...(s.context as object), registration: 'abc' } }),
];

export interface ValidationMix {
  /** Compact JSON bytes as a client would send them. */
  readonly bodies: readonly string[];
  readonly invalid: number;
}

/** `size` statements, `invalidShare` of them invalid, interleaved evenly. */
export function validationMix(size: number, invalidShare = 0.1): ValidationMix {
  const valid = simulatedStatements(size);
  const notOk = readdirSync(NOT_OK_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.stringify(JSON.parse(readFileSync(join(NOT_OK_DIR, name), 'utf8'))));
  const every = Math.max(1, Math.round(1 / invalidShare));
  const bodies: string[] = [];
  let invalid = 0;
  for (let i = 0; i < size; i++) {
    const statement = { id: syntheticUuid(i), ...valid[i] } as Record<string, unknown>;
    if (i % every === every - 1) {
      // Alternate fixtures and mutations, so both kinds of mistakes are in the mix.
      bodies.push(
        invalid % 2 === 0
          ? notOk[(invalid / 2) % notOk.length]
          : JSON.stringify(MUTATIONS[((invalid - 1) / 2) % MUTATIONS.length](statement)),
      );
      invalid += 1;
    } else {
      bodies.push(JSON.stringify(statement));
    }
  }
  return { bodies, invalid };
}

function syntheticUuid(i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `6f1c2a44-0b7e-4c1d-9a3e-${hex}`;
}
