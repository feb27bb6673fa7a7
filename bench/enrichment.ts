// Throughput of enrichStatement on one core, over a realistic mix: 20,000 registered learners, 75% of
// statements from known learners, points from context / credential / home / none, 600 distinct activity ids
// (lessons under the five modules and partner activities that map only through their parent).
// Also measured: enrichableStatementSchema.parse + enrichStatement, i.e. what a consumer does with an open
// record from the received topic.
// Run: node -r @swc-node/register bench/enrichment.ts [rounds] [seconds-per-measurement]
import {
  enrichableStatementSchema,
  enrichStatement,
  LEARNING_POINT_ACTIVITY_PREFIX,
  LEARNING_POINT_EXTENSION,
  LearnerDirectory,
  type EnrichableStatement,
  type EnrichmentInput,
  type LearnerRecord,
} from '@app/enrichment';
import { loadReferenceDataSync, ReferenceIndex } from '@app/reference';
import { format, median, rate } from './measure';

const rounds = Number(process.argv[2] ?? '5');
const seconds = Number(process.argv[3] ?? '1');

const reference = new ReferenceIndex(loadReferenceDataSync());
const points = reference.data.learningPoints;
const MODULE = 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module';
const VERBS = [
  'attended',
  'launched',
  'experienced',
  'completed',
  'passed',
  'failed',
  'answered',
  'progressed',
].map((verb) => `http://adlnet.gov/expapi/verbs/${verb}`);

// Deterministic pseudo-random numbers, so that every run measures the same mix.
let seed = 42;
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

const LEARNERS = 20_000;
const records: LearnerRecord[] = [];
for (let i = 1; i <= LEARNERS; i++) {
  const point = pick(points);
  records.push({
    id: `L${String(i).padStart(6, '0')}`,
    identities:
      i % 3 === 0
        ? [`mbox:mailto:learner${i}@example.cn`, `account:https://portal.jlp.example|${i}`]
        : [`account:https://portal.jlp.example|${i}`],
    birthYear: 1935 + Math.floor(random() * 70),
    gender: pick(['female', 'male', 'female', 'unknown'] as const),
    homeTownId: point.townId,
    homeLearningPointId: random() < 0.8 ? point.id : null,
    updatedAt: '2026-01-01T00:00:00Z',
    version: i,
  });
}
const learners = LearnerDirectory.from(records);

const activities: string[] = [];
for (let module = 1; module <= 5; module++) {
  for (let lesson = 1; lesson <= 100; lesson++) activities.push(`${MODULE}/${module}/lesson/${lesson}`);
}
for (let i = 0; i < 100; i++) activities.push(`https://partner.example/activities/${i}`);

const INPUTS = 10_000;
const inputs: EnrichmentInput[] = [];
for (let i = 0; i < INPUTS; i++) {
  const known = random() < 0.75;
  const n = 1 + Math.floor(random() * LEARNERS);
  const actorKey = known ? `account:https://portal.jlp.example|${n}` : `mbox:mailto:visitor${i}@example.cn`;
  const objectId = pick(activities);
  const placeRule = random();
  const point = pick(points).id;
  const context: EnrichableStatement['context'] = {
    contextActivities: {
      parent: [{ objectType: 'Activity', id: `${MODULE}/${1 + (i % 5)}` }],
      ...(placeRule < 0.3
        ? { grouping: [{ objectType: 'Activity', id: `${LEARNING_POINT_ACTIVITY_PREFIX}${point}` }] }
        : {}),
    },
    ...(placeRule >= 0.3 && placeRule < 0.4 ? { extensions: { [LEARNING_POINT_EXTENSION]: point } } : {}),
  };
  inputs.push({
    statement: {
      verb: { id: pick(VERBS) },
      object: { objectType: 'Activity', id: objectId },
      context,
      timestamp: new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 700 * 86_400_000)).toISOString(),
    },
    actorKey,
    source:
      placeRule >= 0.4 && placeRule < 0.7
        ? { type: 'kiosk', credentialKey: `kiosk-${point}`, boundLearningPointId: point }
        : { type: 'portal', credentialKey: 'portal' },
  });
}
const openRecords: Record<string, unknown>[] = inputs.map((input) =>
  JSON.parse(JSON.stringify(input.statement)),
);

const deps = { reference, learners };
let sink = 0;
let cursor = 0;

function enrichOnly(): void {
  const result = enrichStatement(inputs[cursor], deps);
  sink += result.learningPointId.length;
  cursor = cursor + 1 === INPUTS ? 0 : cursor + 1;
}

function narrowAndEnrich(): void {
  const input = inputs[cursor];
  const statement = enrichableStatementSchema.parse(openRecords[cursor]);
  const result = enrichStatement({ statement, actorKey: input.actorKey, source: input.source }, deps);
  sink += result.learningPointId.length;
  cursor = cursor + 1 === INPUTS ? 0 : cursor + 1;
}

const tally = new Map<string, number>();
for (const input of inputs) {
  const result = enrichStatement(input, deps);
  const key = `${result.attribution}/${result.learnerKnown ? 'known' : 'unknown'}/${result.skillId === null ? 'no-skill' : 'skill'}`;
  tally.set(key, (tally.get(key) ?? 0) + 1);
}
for (let i = 0; i < 50_000; i++) {
  enrichOnly();
  narrowAndEnrich();
}
const enrichRates: number[] = [];
const narrowRates: number[] = [];
for (let round = 0; round < rounds; round++) {
  enrichRates.push(rate(enrichOnly, seconds));
  narrowRates.push(rate(narrowAndEnrich, seconds));
}
console.log(`mix of ${INPUTS} statements:`, Object.fromEntries([...tally].sort()));
console.log(
  `enrichStatement                         ${format(median(enrichRates))} /s (median of ${rounds})`,
);
console.log(
  `enrichableStatementSchema.parse + enrich ${format(median(narrowRates))} /s (median of ${rounds})`,
);
// One machine-readable line for bench/run.ts.
console.log(`RESULT ${JSON.stringify({ enrich: enrichRates, narrowAndEnrich: narrowRates })}`);
if (sink === 0) console.log('(sink)');
