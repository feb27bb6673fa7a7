import type { ReferenceIndex } from '@app/reference';
import { chinaDateOf, simulateLearnerActivity } from './activity';
import { DEFAULT_HOME_PAGES, simulateLearners, simulatePoints, type HomePages } from './district';
import { buildClassroomSheets } from './sheets';
import type { RegistryEntry, RoutedStatement, SheetRow, Simulation } from './types';

export interface SimulateDistrictOptions {
  /** Same seed, same options → the same district, statements and statement ids. */
  readonly seed: string | number;
  /** How many learners (registered or not). */
  readonly learners: number;
  /** How many days to simulate, starting at `start`'s calendar day in China. */
  readonly days: number;
  readonly start: Date;
  readonly reference: ReferenceIndex;
  /** Account homePages; `learners` must match the gateway's XAPI_LEARNER_HOME_PAGE. */
  readonly homePages?: Partial<HomePages>;
  /** Learner ids are `L` + 6 digits counted from here (default 1). */
  readonly firstLearnerNumber?: number;
}

/** Generates a believable district: learners, their registry entries, statements and late paper sheets. */
export function simulateDistrict(options: SimulateDistrictOptions): Simulation {
  if (!Number.isInteger(options.learners) || options.learners < 0) {
    throw new RangeError(`learners must be a non-negative whole number, got ${options.learners}`);
  }
  if (!Number.isInteger(options.days) || options.days < 1) {
    throw new RangeError(`days must be a positive whole number, got ${options.days}`);
  }
  if (Number.isNaN(options.start.getTime())) throw new RangeError('start is not a valid date');
  const seed = String(options.seed);
  const homePages: HomePages = { ...DEFAULT_HOME_PAGES, ...options.homePages };
  const startDate = chinaDateOf(options.start);
  const points = simulatePoints(seed, options.days, options.reference);
  const profiles = simulateLearners({
    seed,
    count: options.learners,
    start: options.start,
    points,
    reference: options.reference,
    homePages,
    firstLearnerNumber: options.firstLearnerNumber,
  });
  const pointMap = new Map(points.map((p) => [p.id, p]));
  const statements: RoutedStatement[] = [];
  const sheetRows: SheetRow[] = [];
  profiles.forEach((learner, index) => {
    const activity = simulateLearnerActivity(learner, index, {
      seed,
      days: options.days,
      startDate,
      reference: options.reference,
      points: pointMap,
      homePages,
    });
    for (const statement of activity.statements) statements.push(statement);
    for (const row of activity.sheetRows) sheetRows.push(row);
  });
  statements.sort((a, b) => a.at - b.at || (a.statement.id < b.statement.id ? -1 : 1));
  const learners: RegistryEntry[] = profiles
    .filter((p) => p.registered)
    .map((p) => ({
      id: p.id,
      identities: p.identities,
      birthYear: p.birthYear,
      gender: p.gender,
      homeTownId: p.homeTownId,
      homeLearningPointId: p.homeLearningPointId,
    }));
  return {
    seed,
    startDate,
    days: options.days,
    learners,
    profiles,
    points,
    statements,
    classroomSheets: buildClassroomSheets(sheetRows),
  };
}
