import type { AgeBand, ReferenceIndex, Skill } from '@app/reference';
import { DEFAULT_HOME_PAGES, isElderly, type HomePages } from './district';
import { Prng } from './prng';
import type {
  LearnerProfile,
  PointProfile,
  RoutedStatement,
  SheetRow,
  SimulatedActivity,
  SimulatedAgent,
  SimulatedStatement,
  SimulationSource,
} from './types';

/**
 * What each learner does day by day: the five-module course in order (attempted → lessons experienced →
 * completed → passed/failed with a score, retried after a failure), resource browsing, lectures. Classroom
 * sessions at kiosk points become statements; at paper points they become sign-in sheet rows.
 */

export const LEARNING_POINT_EXTENSION = 'https://learn.jlp.cq.cn/xapi/extensions/learning-point';

const VERBS = {
  attempted: { id: 'http://adlnet.gov/expapi/verbs/attempted', en: 'attempted', zh: '尝试' },
  experienced: { id: 'http://adlnet.gov/expapi/verbs/experienced', en: 'experienced', zh: '学习' },
  completed: { id: 'http://adlnet.gov/expapi/verbs/completed', en: 'completed', zh: '完成' },
  passed: { id: 'http://adlnet.gov/expapi/verbs/passed', en: 'passed', zh: '通过' },
  failed: { id: 'http://adlnet.gov/expapi/verbs/failed', en: 'failed', zh: '未通过' },
  attended: { id: 'http://adlnet.gov/expapi/verbs/attended', en: 'attended', zh: '出席' },
  played: { id: 'https://w3id.org/xapi/video/verbs/played', en: 'played', zh: '观看' },
} as const;
type VerbName = keyof typeof VERBS;

const ACTIVITY_TYPES = {
  course: 'http://adlnet.gov/expapi/activities/course',
  module: 'http://adlnet.gov/expapi/activities/module',
  lesson: 'http://adlnet.gov/expapi/activities/lesson',
  media: 'http://adlnet.gov/expapi/activities/media',
  meeting: 'http://adlnet.gov/expapi/activities/meeting',
} as const;

const PLATFORMS: Record<SimulationSource, string> = {
  portal: '九龙坡区全民终身学习网',
  app: '九龙坡学习 App',
  classroom: '社区学习点签到终端',
  partner: '老年开放大学合作平台',
};

export const LESSONS_PER_MODULE = 4;
const RESOURCE_COUNT = 240;
const LECTURE_COUNT = 24;

/** Pass probability per age band: the skill problem is worst among the oldest learners. */
export const PASS_RATE: Record<AgeBand, number> = {
  'under-18': 0.9,
  '18-29': 0.92,
  '30-44': 0.9,
  '45-59': 0.84,
  '60-69': 0.74,
  '70-79': 0.62,
  '80+': 0.48,
};

/** Relative activity per weekday (0 = Sunday): Sundays are quiet, Saturdays quieter than weekdays. */
const WEEKDAY_FACTOR = [0.5, 1, 1.05, 1, 1.05, 0.92, 0.72];

const SESSION_START_MINUTES = { morning: 9 * 60, afternoon: 14 * 60, evening: 19 * 60 } as const;

export interface ActivityContext {
  readonly seed: string;
  readonly days: number;
  /** China calendar date of day 0. */
  readonly startDate: string;
  readonly reference: ReferenceIndex;
  readonly points: ReadonlyMap<string, PointProfile>;
  readonly homePages?: HomePages;
}

export interface LearnerActivity {
  readonly statements: RoutedStatement[];
  readonly sheetRows: SheetRow[];
}

interface Calendar {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

interface Event {
  readonly verb: VerbName;
  readonly object: SimulatedActivity;
  readonly parent?: SimulatedActivity;
  readonly grouping?: SimulatedActivity;
  readonly result?: SimulatedStatement['result'];
  /** Minutes after the session start. */
  readonly minute: number;
}

export function simulateLearnerActivity(
  learner: LearnerProfile,
  index: number,
  context: ActivityContext,
): LearnerActivity {
  const rng = Prng.derive(context.seed, 'activity', index);
  const homePages = context.homePages ?? DEFAULT_HOME_PAGES;
  const calendar = parseDate(context.startDate);
  const skills = [...context.reference.data.skills]
    .filter((s) => s.courseId === 'computer-basics')
    .sort((a, b) => a.order - b.order);
  const course = context.reference.data.courses.find((c) => c.id === 'computer-basics');
  if (course === undefined || skills.length === 0)
    throw new Error('reference data lacks the computer-basics course');
  const courseActivity = activity(course.activityIri, ACTIVITY_TYPES.course, course.nameZh, course.nameEn);
  const elderly = isElderly(learner.ageBand);
  const point = learner.classroomPointId ? context.points.get(learner.classroomPointId) : undefined;
  const onlineChannel: Exclude<SimulationSource, 'classroom'> =
    learner.firstChannel !== 'classroom' ? learner.firstChannel : onlineChannelOf(learner);
  const onlineActor = learner.identities.length > 1 ? actorOf(learner.identities[1]) : undefined;
  const learnerActor = actorOf(learner.identities[0]);

  // Journey through the course.
  let module = 0;
  let attempted = false;
  let lessonsDone = 0;
  let completed = false;
  let fails = 0;
  let stopped = false;
  let switchedOnline = false;
  const switchAfterModule = rng.int(1, 2);
  const dailyChance =
    (learner.firstChannel === 'app' ? rng.between(0.25, 0.5) : rng.between(0.16, 0.4)) * (elderly ? 0.8 : 1);
  const startDay = rng.int(0, Math.max(0, Math.floor(context.days * 0.5)));
  const passRate = PASS_RATE[learner.ageBand];
  const dropChance = 0.04 + (elderly ? 0.05 : 0);

  const statements: RoutedStatement[] = [];
  const sheetRows: SheetRow[] = [];

  /** One sitting with the course: starts or continues the current module. */
  const studyCourse = (lessonsThisSession: number, firstMinute: number, recordLessons: boolean): Event[] => {
    const events: Event[] = [];
    let minute = firstMinute;
    const skill = skills[module];
    const moduleActivity = moduleActivityOf(skill);
    if (completed) {
      // Revise a lesson after a failure, then sit the assessment again.
      if (fails > 0 && recordLessons) {
        const revision = lessonEvent(
          skill,
          rng.int(1, LESSONS_PER_MODULE),
          moduleActivity,
          courseActivity,
          minute,
        );
        events.push(revision.event);
        minute += revision.minutes + rng.int(2, 8);
      }
      events.push(assessment(skill, moduleActivity, courseActivity, minute));
      return events;
    }
    if (!attempted) {
      attempted = true;
      events.push({ verb: 'attempted', object: moduleActivity, parent: courseActivity, minute });
      minute += rng.int(1, 4);
    }
    for (let n = 0; n < lessonsThisSession && lessonsDone < LESSONS_PER_MODULE; n++) {
      lessonsDone++;
      const lesson = lessonEvent(skill, lessonsDone, moduleActivity, courseActivity, minute);
      if (recordLessons) events.push(lesson.event);
      minute += lesson.minutes + rng.int(1, 6);
    }
    if (lessonsDone === LESSONS_PER_MODULE) {
      completed = true;
      events.push({
        verb: 'completed',
        object: moduleActivity,
        parent: courseActivity,
        result: { completion: true },
        minute,
      });
      // Most sit the assessment right away; some come back for it.
      if (rng.chance(0.6))
        events.push(assessment(skill, moduleActivity, courseActivity, minute + rng.int(3, 10)));
    }
    return events;
  };

  const assessment = (
    skill: Skill,
    moduleActivity: SimulatedActivity,
    parent: SimulatedActivity,
    minute: number,
  ) => {
    const difficulty = skill.order === 3 ? 0.9 : 1; // Chinese input is the hardest module
    const passed = rng.chance(passRate * difficulty);
    const raw = passed
      ? Math.round(rng.normal(elderly ? 74 : 82, 9, 60, 100))
      : Math.round(rng.normal(elderly ? 45 : 50, 8, 10, 59));
    const event: Event = {
      verb: passed ? 'passed' : 'failed',
      object: moduleActivity,
      parent,
      result: {
        score: { scaled: raw / 100, raw, min: 0, max: 100 },
        success: passed,
        completion: true,
        duration: `PT${rng.int(8, 25)}M${rng.int(0, 59)}S`,
      },
      minute,
    };
    if (passed) {
      module++;
      attempted = false;
      lessonsDone = 0;
      completed = false;
      fails = 0;
      if (module >= skills.length || rng.chance(dropChance)) stopped = true;
    } else {
      fails++;
      if (fails >= 3) stopped = true;
    }
    return event;
  };

  const lessonEvent = (
    skill: Skill,
    lesson: number,
    moduleActivity: SimulatedActivity,
    courseActivity: SimulatedActivity,
    minute: number,
  ): { event: Event; minutes: number } => {
    const minutes = rng.int(elderly ? 15 : 8, elderly ? 45 : 30);
    return {
      minutes,
      event: {
        verb: 'experienced',
        object: activity(
          `${skill.activityIri}/lesson/${lesson}`,
          ACTIVITY_TYPES.lesson,
          `${skill.nameZh} 第${lesson}课`,
          `${skill.nameEn}, lesson ${lesson}`,
        ),
        parent: moduleActivity,
        grouping: courseActivity,
        result: { completion: true, duration: `PT${minutes}M${rng.int(0, 59)}S` },
        minute,
      },
    };
  };

  const browse = (source: Exclude<SimulationSource, 'classroom'>, minute: number): Event => {
    const n = rng.int(1, RESOURCE_COUNT);
    const base = source === 'partner' ? `${homePages.partner}/xapi/activities/video` : RESOURCE_PREFIX;
    const video = rng.chance(0.7);
    return {
      verb: video ? 'played' : 'experienced',
      object: activity(
        `${base}/${video ? 'video' : 'ebook'}-${String(n).padStart(3, '0')}`,
        ACTIVITY_TYPES.media,
        video ? `微课视频 ${n}` : `电子书 ${n}`,
        video ? `Micro-lecture video ${n}` : `E-book ${n}`,
      ),
      result: { duration: `PT${rng.int(2, 40)}M${rng.int(0, 59)}S` },
      minute,
    };
  };

  for (let day = startDay; day < context.days; day++) {
    const weekday = weekdayOf(calendar, day);
    const inClassroom = point !== undefined && !switchedOnline;
    if (inClassroom) {
      if (day >= point.activeUntilDay || !point.classDays.includes(weekday) || !rng.chance(0.85)) continue;
      const start = SESSION_START_MINUTES[point.session];
      if (stopped) {
        // Former course members keep coming to the lecture series at kiosk points.
        if (!point.paper && rng.chance(0.25)) {
          const n = rng.int(1, LECTURE_COUNT);
          const lecture = activity(
            `${LECTURE_PREFIX}/${n}`,
            ACTIVITY_TYPES.meeting,
            `百川讲坛 第${n}讲`,
            `Baichuan lecture ${n}`,
          );
          emit('classroom', learnerActor, point.id, day, start, [
            { verb: 'attended', object: lecture, minute: rng.int(0, 10) },
          ]);
        }
        continue;
      }
      const skill = skills[module];
      const attendance: Event = {
        verb: 'attended',
        object: moduleActivityOf(skill),
        parent: courseActivity,
        minute: rng.int(0, 10),
      };
      const events = [attendance, ...studyCourse(2, 15, !point.paper)];
      if (point.paper) {
        for (const event of events) {
          const outcome = event.verb;
          if (
            outcome !== 'attended' &&
            outcome !== 'completed' &&
            outcome !== 'passed' &&
            outcome !== 'failed'
          )
            continue;
          sheetRows.push({
            learner: learner.id,
            date: dateOf(calendar, day),
            session: point.session,
            learningPointId: point.id,
            module: skillOfActivity(skills, event.object.id).id,
            outcome,
            score: event.result?.score?.raw ?? null,
          });
        }
      } else {
        emit('classroom', learnerActor, point.id, day, start, events);
      }
      if (learner.goesOnline && module >= switchAfterModule) switchedOnline = true;
      continue;
    }
    const source =
      point !== undefined ? onlineChannel : (learner.firstChannel as Exclude<SimulationSource, 'classroom'>);
    const actor = onlineActor ?? learnerActor;
    const chance = dailyChance * WEEKDAY_FACTOR[weekday] * (stopped ? 0.5 : 1);
    if (!rng.chance(chance)) continue;
    const start = onlineStartMinute(rng, elderly);
    const events: Event[] = [];
    if (!stopped) events.push(...studyCourse(rng.int(1, 3), 0, true));
    if (stopped || rng.chance(0.35)) {
      const last = events.length > 0 ? events[events.length - 1].minute + 20 : 0;
      events.push(browse(source, last));
    }
    emit(source, actor, null, day, start, events);
  }

  function emit(
    source: SimulationSource,
    actor: SimulatedAgent,
    pointId: string | null,
    day: number,
    startMinute: number,
    events: readonly Event[],
  ): void {
    // Late sessions end before 23:00 rather than running past midnight into the next day.
    const lastMinute = events.reduce((max, e) => Math.max(max, e.minute), 0);
    const sessionStart = Math.min(startMinute, LATEST_MINUTE - lastMinute);
    for (const event of events) {
      const localMs =
        Date.UTC(calendar.year, calendar.month - 1, calendar.day + day, 0, sessionStart + event.minute) +
        rng.int(0, 59_999);
      const at = localMs - CHINA_OFFSET_MS;
      const contextActivities =
        event.parent || event.grouping
          ? {
              ...(event.parent && { parent: [event.parent] }),
              ...(event.grouping && { grouping: [event.grouping] }),
            }
          : undefined;
      const verb = VERBS[event.verb];
      const statement: SimulatedStatement = {
        id: rng.uuid(),
        actor,
        verb: { id: verb.id, display: { 'zh-CN': verb.zh, 'en-US': verb.en } },
        object: event.object,
        ...(event.result && { result: event.result }),
        context: {
          platform: PLATFORMS[source],
          language: 'zh-CN',
          ...(contextActivities && { contextActivities }),
          ...(pointId !== null && { extensions: { [LEARNING_POINT_EXTENSION]: pointId } }),
        },
        timestamp: new Date(localMs).toISOString().replace('Z', '+08:00'),
      };
      statements.push({ source, learningPointId: pointId, learnerId: learner.id, at, statement });
    }
  }

  return { statements, sheetRows };
}

const RESOURCE_PREFIX = 'https://learn.jlp.cq.cn/xapi/activities/resource';
const LECTURE_PREFIX = 'https://learn.jlp.cq.cn/xapi/activities/lecture/baichuan';
const CHINA_OFFSET_MS = 8 * 3_600_000;
const LATEST_MINUTE = 22 * 60 + 58;

function onlineChannelOf(learner: LearnerProfile): Exclude<SimulationSource, 'classroom'> {
  const key = learner.identities[1] ?? '';
  return key.startsWith('mbox_sha1sum:') ? 'app' : 'portal';
}

/** Elderly learners study in the morning and afternoon; younger ones at lunch and in the evening. */
function onlineStartMinute(rng: Prng, elderly: boolean): number {
  const hours = elderly ? [7, 8, 9, 10, 11, 14, 15, 16, 19, 20] : [7, 8, 12, 13, 18, 19, 20, 21, 22];
  const weights = elderly
    ? [0.5, 1.2, 1.5, 1.3, 0.8, 1, 1.1, 0.8, 0.6, 0.4]
    : [0.3, 0.5, 0.9, 0.7, 0.6, 1, 1.3, 1.2, 0.6];
  const hour = rng.weighted(
    hours.map((h, i) => ({ h, w: weights[i] })),
    (x) => x.w,
  ).h;
  return hour * 60 + rng.int(0, 50);
}

export function actorOf(key: string): SimulatedAgent {
  if (key.startsWith('account:')) {
    const rest = key.slice('account:'.length);
    const bar = rest.indexOf('|');
    return { objectType: 'Agent', account: { homePage: rest.slice(0, bar), name: rest.slice(bar + 1) } };
  }
  if (key.startsWith('mbox_sha1sum:'))
    return { objectType: 'Agent', mbox_sha1sum: key.slice('mbox_sha1sum:'.length) };
  throw new Error(`the simulator does not make actors of kind ${key.slice(0, key.indexOf(':'))}`);
}

function activity(id: string, type: string, zh: string, en: string): SimulatedActivity {
  return { objectType: 'Activity', id, definition: { type, name: { 'zh-CN': zh, 'en-US': en } } };
}

function moduleActivityOf(skill: Skill): SimulatedActivity {
  return activity(skill.activityIri, ACTIVITY_TYPES.module, skill.nameZh, skill.nameEn);
}

function skillOfActivity(skills: readonly Skill[], iri: string): Skill {
  const skill = skills.find((s) => s.activityIri === iri);
  if (skill === undefined) throw new Error(`no module with activity ${iri}`);
  return skill;
}

export function parseDate(date: string): Calendar {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
}

export function dateOf(calendar: Calendar, day: number): string {
  return new Date(Date.UTC(calendar.year, calendar.month - 1, calendar.day + day)).toISOString().slice(0, 10);
}

export function weekdayOf(calendar: Calendar, day: number): number {
  return new Date(Date.UTC(calendar.year, calendar.month - 1, calendar.day + day)).getUTCDay();
}

/** China calendar date of an instant. */
export function chinaDateOf(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}
