import {
  LearnerDirectory,
  enrichStatement,
  stampLearner,
  validateLearnerPutBody,
  type Enrichment,
} from '@app/enrichment';
import { parseAttendanceCsv } from '@app/lrs/attendance-csv';
import { ReferenceIndex, ageBand } from '@app/reference';
import { actorKey, validateStatement } from '@app/xapi';
import { DEFAULT_HOME_PAGES } from './district';
import { simulateDistrict } from './simulate';
import type { LearnerProfile, RoutedStatement, Simulation } from './types';

const START = new Date('2026-10-01T00:00:00+08:00');
const DAYS = 30;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let reference: ReferenceIndex;
let sim: Simulation;
let profiles: Map<string, LearnerProfile>;

beforeAll(async () => {
  reference = await ReferenceIndex.load();
  sim = simulateDistrict({ seed: 'spec', learners: 2000, days: DAYS, start: START, reference });
  profiles = new Map(sim.profiles.map((p) => [p.id, p]));
});

/** Skill order (1–5) of a statement's object or its parent module, undefined for non-course activities. */
function moduleOrder(statement: RoutedStatement['statement']): number | undefined {
  return reference.skillForActivity(statement.object.id)?.skill.order;
}

function isElderlyAt(learnerId: string, at: Date): boolean {
  const band = ageBand(profiles.get(learnerId)!.birthYear, at);
  return band === '60-69' || band === '70-79' || band === '80+';
}

describe('simulateDistrict', () => {
  it('gives the same district and statement ids for the same seed, different ones for another seed', () => {
    const options = { learners: 150, days: 14, start: START, reference };
    const a = simulateDistrict({ seed: 7, ...options });
    const b = simulateDistrict({ seed: 7, ...options });
    const c = simulateDistrict({ seed: 8, ...options });
    expect(b).toEqual(a);
    expect(a.statements.length).toBeGreaterThan(0);
    expect(c.statements.map((s) => s.statement.id)).not.toEqual(a.statements.map((s) => s.statement.id));
  });

  it('keeps a learner the same when more learners are simulated (per-learner random streams)', () => {
    const small = simulateDistrict({ seed: 'spec', learners: 50, days: DAYS, start: START, reference });
    expect(small.profiles).toEqual(sim.profiles.slice(0, 50));
    const ids = new Set(small.statements.map((s) => s.statement.id));
    expect(sim.statements.filter((s) => ids.has(s.statement.id)).length).toBe(small.statements.length);
  });

  it('produces tens of thousands of statements for 2,000 learners over 30 days, each valid xAPI 1.0.3', () => {
    expect(sim.statements.length).toBeGreaterThan(15_000);
    expect(sim.statements.length).toBeLessThan(100_000);
    const invalid = sim.statements
      .map((s) => validateStatement(s.statement, { version: '1.0.3' }))
      .filter((r) => !r.ok);
    expect(invalid).toEqual([]);
    const ids = sim.statements.map((s) => s.statement.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => UUID.test(id))).toBe(true);
  });

  it('dates statements in China time, inside the window, in daytime, in order', () => {
    const end = START.getTime() + DAYS * 86_400_000;
    const problems: string[] = [];
    sim.statements.forEach((s, i) => {
      const hour = Number(s.statement.timestamp.slice(11, 13));
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/.test(s.statement.timestamp))
        problems.push(`format ${i}`);
      if (Date.parse(s.statement.timestamp) !== s.at) problems.push(`at ${i}`);
      if (s.at < START.getTime() || s.at >= end) problems.push(`window ${i} ${s.statement.timestamp}`);
      if (hour < 7 || hour > 22) problems.push(`hour ${i} ${s.statement.timestamp}`);
      if (i > 0 && s.at < sim.statements[i - 1].at) problems.push(`order ${i}`);
    });
    expect(problems).toEqual([]);
  });

  it('has a weekly rhythm: fewer statements on Sundays than on any weekday', () => {
    const byWeekday = [0, 0, 0, 0, 0, 0, 0];
    for (const s of sim.statements) byWeekday[new Date(s.at + 8 * 3_600_000).getUTCDay()]++;
    // 30 days from a Thursday: Thu, Fri, Sat get 5 days, the others 4; compare per day.
    const perDay = byWeekday.map((n, weekday) => n / ([4, 4, 4, 4, 5, 5, 5][weekday] as number));
    for (const weekday of [1, 2, 3, 4, 5]) expect(perDay[0]).toBeLessThan(perDay[weekday] * 0.8);
  });

  it('uses all four sources, classroom statements with their learning point, some with durations', () => {
    const sources = new Set(sim.statements.map((s) => s.source));
    expect([...sources].sort()).toEqual(['app', 'classroom', 'partner', 'portal']);
    for (const s of sim.statements) {
      const named =
        s.statement.context.extensions?.['https://learn.jlp.cq.cn/xapi/extensions/learning-point'];
      if (s.source === 'classroom') {
        expect(named).toBe(s.learningPointId);
        expect(reference.findLearningPoint(s.learningPointId!)).toBeDefined();
      } else expect(named).toBeUndefined();
    }
    const partner = sim.statements.filter((s) => s.source === 'partner');
    expect(partner.every((s) => s.statement.actor.account?.homePage === DEFAULT_HOME_PAGES.partner)).toBe(
      true,
    );
    const withDuration = sim.statements.filter((s) => s.statement.result?.duration !== undefined).length;
    expect(withDuration / sim.statements.length).toBeGreaterThan(0.2);
    expect(withDuration).toBeLessThan(sim.statements.length);
  });

  it('gives registry entries the registry accepts, and leaves about 5% of learners unregistered', () => {
    for (const { id, ...body } of sim.learners) {
      const result = validateLearnerPutBody(body, reference);
      expect(result.ok ? id : result.issues).toBe(id);
    }
    const unregistered = sim.profiles.length - sim.learners.length;
    expect(unregistered / sim.profiles.length).toBeGreaterThan(0.02);
    expect(unregistered / sim.profiles.length).toBeLessThan(0.09);
    const identities = sim.learners.flatMap((l) => l.identities);
    expect(new Set(identities).size).toBe(identities.length);
  });

  it('maps every actor of a registered learner to that learner, and nobody else', () => {
    const directory = directoryOf(sim);
    for (const s of sim.statements) {
      const found = directory.findByActorKey(actorKey(s.statement.actor as Parameters<typeof actorKey>[0]));
      expect(found?.id ?? null).toBe(profiles.get(s.learnerId)!.registered ? s.learnerId : null);
    }
  });

  it('has more learners per 1,000 residents in the east than in the west', () => {
    const residents = { east: 0, west: 0 };
    for (const town of reference.data.towns) residents[town.region as 'east' | 'west'] += town.population;
    const learners = { east: 0, west: 0 };
    for (const p of sim.profiles) learners[p.region as 'east' | 'west']++;
    const east = (learners.east / residents.east) * 1000;
    const west = (learners.west / residents.west) * 1000;
    expect(east).toBeGreaterThan(west * 1.5);
    expect(learners.west).toBeGreaterThan(0);
  });

  it('has a larger share of active learning points in the east, some western points silent for 30 days', () => {
    const active = activePoints(sim, reference, Date.parse('2026-10-31T00:00:00+08:00') - 30 * 86_400_000);
    const share = (region: 'east' | 'west') => {
      const points = reference.data.learningPoints.filter((p) => reference.town(p.townId).region === region);
      return points.filter((p) => active.has(p.id)).length / points.length;
    };
    expect(share('east')).toBeGreaterThan(share('west') + 0.15);
    expect(share('west')).toBeLessThan(0.85);
    expect(share('west')).toBeGreaterThan(0.3);
  });

  it('has older learners in classrooms than on the app, and more women among the elderly', () => {
    const elderlyShare = (source: RoutedStatement['source']) => {
      const own = sim.statements.filter((s) => s.source === source);
      return own.filter((s) => isElderlyAt(s.learnerId, new Date(s.at))).length / own.length;
    };
    expect(elderlyShare('classroom')).toBeGreaterThan(0.6);
    expect(elderlyShare('app')).toBeLessThan(0.3);
    const classroomLearners = sim.profiles.filter((p) => p.firstChannel === 'classroom');
    expect(
      classroomLearners.filter((p) => p.ageBand === '80+').length / classroomLearners.length,
    ).toBeGreaterThan(0.05);
    const women = (group: LearnerProfile[]) =>
      group.filter((p) => p.gender === 'female').length / group.length;
    const elderly = sim.profiles.filter((p) => ['60-69', '70-79', '80+'].includes(p.ageBand));
    const younger = sim.profiles.filter((p) => !['60-69', '70-79', '80+'].includes(p.ageBand));
    expect(women(elderly)).toBeGreaterThan(0.56);
    expect(women(elderly)).toBeGreaterThan(women(younger));
  });

  it('takes the modules in order: a module is begun only after the previous one was passed', () => {
    for (const events of courseEventsByLearner(sim).values()) {
      let passedUpTo = 0;
      let completedCurrent = false;
      for (const event of events) {
        expect(event.module).toBeLessThanOrEqual(passedUpTo + 1);
        if (event.module !== passedUpTo + 1) continue;
        if (event.verb === 'completed') completedCurrent = true;
        if (event.verb === 'passed' || event.verb === 'failed') expect(completedCurrent).toBe(true);
        if (event.verb === 'passed') {
          passedUpTo++;
          completedCurrent = false;
        }
      }
    }
  });

  it('scores assessments, and pass rates fall with age', () => {
    const assessments = sim.statements.filter((s) => /\/(passed|failed)$/.test(s.statement.verb.id));
    for (const s of assessments) {
      const score = s.statement.result?.score;
      expect(score).toBeDefined();
      expect(s.statement.result?.success).toBe(s.statement.verb.id.endsWith('passed'));
      expect(score!.raw >= 60).toBe(s.statement.result?.success);
    }
    const passRate = (old: boolean) => {
      const group = assessments.filter((s) => isElderlyAt(s.learnerId, new Date(s.at)) === old);
      return group.filter((s) => s.statement.result?.success).length / group.length;
    };
    expect(passRate(true)).toBeLessThan(passRate(false) - 0.05);
  });

  it('has classroom starters who go on to learn online without a learning point', () => {
    const classroomStarters = new Set(
      sim.profiles.filter((p) => p.firstChannel === 'classroom').map((p) => p.id),
    );
    const movedOnline = new Set(
      sim.statements
        .filter((s) => classroomStarters.has(s.learnerId) && (s.source === 'portal' || s.source === 'app'))
        .map((s) => s.learnerId),
    );
    expect(movedOnline.size).toBeGreaterThan(20);
    expect(movedOnline.size).toBeLessThan(classroomStarters.size / 2);
  });

  it('writes paper sheets that the gateway helper reads without a rejected row', () => {
    expect(sim.classroomSheets.length).toBeGreaterThan(10);
    let rows = 0;
    for (const sheet of sim.classroomSheets) {
      const parsed = parseAttendanceCsv(sheet.csv, {
        reference,
        learnerHomePage: DEFAULT_HOME_PAGES.learners,
        boundLearningPointId: sheet.learningPointId,
        now: () => new Date('2026-12-01T00:00:00+08:00'),
      });
      expect(parsed.rejected).toEqual([]);
      expect(parsed.rows).toHaveLength(sheet.rows.length);
      rows += parsed.rows.length;
      // Sheet ids are the gateway's own (UUID v5 of the row), never one of the kiosk statements' ids.
      for (const row of parsed.rows) expect(row.statement.id).toMatch(UUID);
    }
    expect(rows).toBe(sim.classroomSheets.reduce((n, s) => n + s.rows.length, 0));
  });

  it('refuses nonsense sizes', () => {
    expect(() => simulateDistrict({ seed: 1, learners: -1, days: 3, start: START, reference })).toThrow(
      RangeError,
    );
    expect(() => simulateDistrict({ seed: 1, learners: 3, days: 0, start: START, reference })).toThrow(
      RangeError,
    );
  });
});

function directoryOf(simulation: Simulation): LearnerDirectory {
  return LearnerDirectory.from(
    simulation.learners.map((l) =>
      stampLearner({ ...l, identities: [...l.identities] }, 1, '2026-09-30T00:00:00Z'),
    ),
  );
}

/** Points with any learning attributed to them since `since`, as the enricher attributes it. */
function activePoints(simulation: Simulation, reference: ReferenceIndex, since: number): Set<string> {
  const directory = directoryOf(simulation);
  const active = new Set<string>();
  for (const s of simulation.statements) {
    if (s.at < since) continue;
    const enrichment: Enrichment = enrichStatement(
      {
        statement: s.statement,
        actorKey: actorKey(s.statement.actor as Parameters<typeof actorKey>[0]),
        source: { type: s.source, credentialKey: s.source },
      },
      { reference, learners: directory },
    );
    active.add(enrichment.learningPointId);
  }
  for (const sheet of simulation.classroomSheets) {
    for (const row of sheet.rows)
      if (Date.parse(`${row.date}T23:59:59+08:00`) >= since) active.add(row.learningPointId);
  }
  return active;
}

interface CourseEvent {
  readonly at: number;
  readonly module: number;
  readonly verb: string;
}

/** Course events per learner from statements and sheet rows, in time order. */
function courseEventsByLearner(simulation: Simulation): Map<string, CourseEvent[]> {
  const byLearner = new Map<string, CourseEvent[]>();
  const add = (learner: string, event: CourseEvent) => {
    const list = byLearner.get(learner) ?? [];
    list.push(event);
    byLearner.set(learner, list);
  };
  for (const s of simulation.statements) {
    const module = moduleOrder(s.statement);
    if (module === undefined) continue;
    add(s.learnerId, {
      at: s.at,
      module,
      verb: s.statement.verb.id.slice(s.statement.verb.id.lastIndexOf('/') + 1),
    });
  }
  const sessionHour = { morning: 9, afternoon: 14, evening: 19 } as const;
  const outcomeOrder = { attended: 0, completed: 1, failed: 2, passed: 2 } as const;
  for (const sheet of simulation.classroomSheets) {
    for (const row of sheet.rows) {
      const module = reference.data.skills.find((k) => k.id === row.module)!.order;
      const at = Date.parse(`${row.date}T${String(sessionHour[row.session]).padStart(2, '0')}:00:00+08:00`);
      add(row.learner, { at: at + outcomeOrder[row.outcome], module, verb: row.outcome });
    }
  }
  for (const list of byLearner.values()) list.sort((a, b) => a.at - b.at);
  return byLearner;
}
