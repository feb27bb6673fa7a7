import { createHash } from 'node:crypto';
import { REGISTRY_LEARNER_HOME_PAGE } from '@app/enrichment';
import { ageBand, chinaYear, type AgeBand, type ReferenceIndex, type Region } from '@app/reference';
import { Prng } from './prng';
import type { LearnerProfile, PointProfile, SimulatedGender, SimulationSource } from './types';

/**
 * The simulated district: which learning points are busy, quiet or silent, and who the learners are.
 * The shape follows the college's own picture: more learners and busier points in the urban east,
 * older learners in classrooms, younger ones online, more women among the elderly.
 */

/** Account homePages of the simulated channels. `learners` is the registry's own account (@app/enrichment). */
export const DEFAULT_HOME_PAGES = {
  /** Registry learner ids as accounts: what kiosks and paper sheets record (@app/lrs DEFAULT_LEARNER_HOME_PAGE). */
  learners: REGISTRY_LEARNER_HOME_PAGE,
  portal: 'https://learn.jlp.cq.cn/portal',
  /** App users are identified by a hashed mailbox (mbox_sha1sum) on this domain. */
  appMailDomain: 'app.learn.jlp.cq.cn',
  partner: 'https://senior-college.partner.example',
} as const;
export type HomePages = { readonly [K in keyof typeof DEFAULT_HOME_PAGES]: string };

/** Residents joining per town population: the west takes part less (the balance problem). */
const REGION_PARTICIPATION: Record<Region, number> = { east: 1, west: 0.45 };

const CHANNEL_SHARES: Record<Region, Record<SimulationSource, number>> = {
  east: { classroom: 0.38, portal: 0.22, app: 0.28, partner: 0.12 },
  west: { classroom: 0.6, portal: 0.15, app: 0.2, partner: 0.05 },
};

type Band = { readonly minAge: number; readonly maxAge: number; readonly share: number };
const AGES: Record<'classroom' | 'portal' | 'mobile', readonly Band[]> = {
  classroom: [
    { minAge: 18, maxAge: 29, share: 0.02 },
    { minAge: 30, maxAge: 44, share: 0.05 },
    { minAge: 45, maxAge: 59, share: 0.18 },
    { minAge: 60, maxAge: 69, share: 0.37 },
    { minAge: 70, maxAge: 79, share: 0.27 },
    { minAge: 80, maxAge: 92, share: 0.11 },
  ],
  portal: [
    { minAge: 13, maxAge: 17, share: 0.03 },
    { minAge: 18, maxAge: 29, share: 0.18 },
    { minAge: 30, maxAge: 44, share: 0.3 },
    { minAge: 45, maxAge: 59, share: 0.27 },
    { minAge: 60, maxAge: 69, share: 0.15 },
    { minAge: 70, maxAge: 79, share: 0.06 },
    { minAge: 80, maxAge: 86, share: 0.01 },
  ],
  mobile: [
    { minAge: 13, maxAge: 17, share: 0.04 },
    { minAge: 18, maxAge: 29, share: 0.26 },
    { minAge: 30, maxAge: 44, share: 0.33 },
    { minAge: 45, maxAge: 59, share: 0.22 },
    { minAge: 60, maxAge: 69, share: 0.11 },
    { minAge: 70, maxAge: 79, share: 0.04 },
  ],
};

/** Share of women by age: women outlive men and make up most elderly learners. */
function femaleShare(age: number): number {
  if (age >= 80) return 0.7;
  if (age >= 70) return 0.66;
  if (age >= 60) return 0.62;
  if (age >= 45) return 0.56;
  return 0.51;
}

/** Chance that a classroom starter later learns online alone, by age. */
function goesOnlineChance(age: number): number {
  if (age >= 80) return 0.06;
  if (age >= 70) return 0.18;
  if (age >= 60) return 0.3;
  return 0.45;
}

export const UNREGISTERED_SHARE = 0.05;

/** Decides every learning point's behaviour. West: ~30% silent, more paper sheets; east: a few silent. */
export function simulatePoints(seed: string, days: number, reference: ReferenceIndex): PointProfile[] {
  const points: PointProfile[] = [];
  for (const town of reference.data.towns) {
    const rng = Prng.derive(seed, 'points', town.id);
    const townPoints = reference.learningPointsOfTown(town.id);
    const west = town.region === 'west';
    // Keep the town's first point (its school's main point) always active, so every town has classes.
    const silentCount = west ? Math.floor(townPoints.length * 0.3) : rng.chance(0.25) ? 1 : 0;
    const fadedCount = west ? Math.max(1, Math.floor(townPoints.length * 0.15)) : 0;
    const candidates = rng.shuffle(townPoints.slice(1).map((p) => p.id));
    const silent = new Set(candidates.slice(0, silentCount));
    const faded = new Set(candidates.slice(silentCount, silentCount + fadedCount));
    for (const point of townPoints) {
      let weight = 1 * (point.demonstration ? 2.5 : 1) * (point.experimentalBase ? 1.8 : 1);
      weight *= point.smartCommunityPilot ? 1.5 : 1;
      // Faded points stopped holding classes more than 30 days before the end.
      let activeUntilDay = Infinity;
      if (faded.has(point.id)) activeUntilDay = days - 31 - rng.int(0, 14);
      if (silent.has(point.id) || activeUntilDay <= 0) weight = 0;
      const classDays = pickClassDays(rng);
      const session = rng.weighted(['morning', 'afternoon', 'evening'] as const, (s) =>
        s === 'morning' ? 0.55 : s === 'afternoon' ? 0.4 : 0.05,
      );
      points.push({
        id: point.id,
        townId: town.id,
        region: town.region,
        weight,
        activeUntilDay: weight === 0 ? 0 : activeUntilDay,
        paper: rng.chance(west ? 0.45 : 0.15),
        classDays,
        session,
      });
    }
  }
  return points;
}

function pickClassDays(rng: Prng): number[] {
  const days = new Set<number>();
  while (days.size < 2) days.add(rng.weighted([1, 2, 3, 4, 5, 6], (d) => (d === 6 ? 0.6 : 1)));
  // Sunday classes are rare.
  if (rng.chance(0.05)) days.add(0);
  return [...days].sort((a, b) => a - b);
}

/** A bijection on 32-bit integers: unique, unguessable-looking account names from learner numbers. */
function scramble(n: number): string {
  return (Math.imul(n + 1, 2654435761) >>> 0).toString(36).padStart(7, '0');
}

export function learnerIdOf(index: number, firstNumber = 1): string {
  return `L${String(index + firstNumber).padStart(6, '0')}`;
}

export interface LearnerGenerationOptions {
  readonly seed: string;
  readonly count: number;
  readonly start: Date;
  readonly points: readonly PointProfile[];
  readonly reference: ReferenceIndex;
  readonly homePages: HomePages;
  /** Learner ids are L + 6 digits from this number on (default 1). */
  readonly firstLearnerNumber?: number;
}

export function simulateLearners(options: LearnerGenerationOptions): LearnerProfile[] {
  const { reference, points, homePages } = options;
  const towns = reference.data.towns;
  const activeByTown = new Map<string, PointProfile[]>();
  // Home points: only points active through the whole window (a learner's online statements without a
  // point are credited to the home point, which would wake silent or faded points).
  for (const point of points) {
    if (point.weight === 0 || point.activeUntilDay !== Infinity) continue;
    const list = activeByTown.get(point.townId) ?? [];
    list.push(point);
    activeByTown.set(point.townId, list);
  }
  const classroomPointsByTown = new Map<string, PointProfile[]>();
  for (const point of points) {
    if (point.weight === 0) continue;
    const list = classroomPointsByTown.get(point.townId) ?? [];
    list.push(point);
    classroomPointsByTown.set(point.townId, list);
  }
  const startYear = chinaYear(options.start);
  const learners: LearnerProfile[] = [];
  for (let index = 0; index < options.count; index++) {
    const rng = Prng.derive(options.seed, 'learner', index);
    const id = learnerIdOf(index, options.firstLearnerNumber);
    const town = rng.weighted(towns, (t) => t.population * REGION_PARTICIPATION[t.region]);
    const shares = CHANNEL_SHARES[town.region];
    const firstChannel = rng.weighted(Object.keys(shares) as SimulationSource[], (c) => shares[c]);
    const ages =
      AGES[firstChannel === 'classroom' ? 'classroom' : firstChannel === 'portal' ? 'portal' : 'mobile'];
    const band = rng.weighted(ages, (b) => b.share);
    const age = rng.int(band.minAge, band.maxAge);
    const birthYear = startYear - age;
    const gender: SimulatedGender = rng.chance(0.006)
      ? 'unknown'
      : rng.chance(femaleShare(age))
        ? 'female'
        : 'male';
    const registered = !rng.chance(UNREGISTERED_SHARE);
    const classroomPoint =
      firstChannel === 'classroom'
        ? rng.weighted(classroomPointsByTown.get(town.id) ?? [], (p) => p.weight)
        : null;
    const goesOnline =
      classroomPoint !== null &&
      classroomPoint.activeUntilDay === Infinity &&
      rng.chance(goesOnlineChance(age));
    const homePoints = activeByTown.get(town.id) ?? [];
    let homeLearningPointId: string | null = null;
    if (classroomPoint !== null) {
      homeLearningPointId = classroomPoint.activeUntilDay === Infinity ? classroomPoint.id : null;
    } else if (homePoints.length > 0 && rng.chance(0.5)) {
      homeLearningPointId = rng.weighted(homePoints, (p) => p.weight).id;
    }
    const identities = [`account:${homePages.learners}|${id}`];
    const online = goesOnline ? rng.weighted(['portal', 'app'] as const, () => 1) : firstChannel;
    if (online !== 'classroom') identities.push(onlineIdentity(online, index, homePages));
    learners.push({
      id,
      identities,
      birthYear,
      gender,
      homeTownId: town.id,
      homeLearningPointId,
      registered,
      region: town.region,
      ageBand: ageBand(birthYear, options.start),
      firstChannel,
      goesOnline,
      classroomPointId: classroomPoint?.id ?? null,
    });
  }
  return learners;
}

function onlineIdentity(
  channel: Exclude<SimulationSource, 'classroom'>,
  index: number,
  homePages: HomePages,
) {
  switch (channel) {
    case 'portal':
      return `account:${homePages.portal}|u${scramble(index)}`;
    case 'app':
      return `mbox_sha1sum:${sha1(`mailto:m${scramble(index)}@${homePages.appMailDomain}`)}`;
    case 'partner':
      return `account:${homePages.partner}|p${scramble(index)}`;
  }
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export function isElderly(band: AgeBand): boolean {
  return band === '60-69' || band === '70-79' || band === '80+';
}
