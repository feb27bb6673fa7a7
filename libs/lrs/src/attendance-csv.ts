import {
  LEARNER_ID_PATTERN,
  LEARNING_POINT_EXTENSION,
  actorKeyProblem,
  canonicalActorKey,
} from '@app/enrichment';
import { CsvSyntaxError, parseCsv, type Course, type ReferenceIndex, type Skill } from '@app/reference';
import { actorKey, validateStatement, type Agent, type Statement } from '@app/xapi';
import { uuidV5 } from './uuid-v5';

/**
 * Paper sign-in sheets typed into a CSV by teachers: one row per learner and session. Each row becomes one
 * xAPI statement with a deterministic id (UUID v5 of learner|date|session|point|module|outcome), so the same
 * sheet uploaded twice yields the same ids and stores nothing new. The score is not part of the id: a
 * corrected score for the same row is a conflict, reported for that row.
 */

/** Fixed namespace of attendance statement ids. Never change it: every id already issued depends on it. */
export const ATTENDANCE_ID_NAMESPACE = '3d53cd59-71b5-429f-8846-d036263fb7ba';

export const ATTENDANCE_OUTCOMES = ['attended', 'completed', 'passed', 'failed'] as const;
export type AttendanceOutcome = (typeof ATTENDANCE_OUTCOMES)[number];

const VERBS: Record<AttendanceOutcome, { id: string; en: string; zh: string }> = {
  attended: { id: 'http://adlnet.gov/expapi/verbs/attended', en: 'attended', zh: '出席' },
  completed: { id: 'http://adlnet.gov/expapi/verbs/completed', en: 'completed', zh: '完成' },
  passed: { id: 'http://adlnet.gov/expapi/verbs/passed', en: 'passed', zh: '通过' },
  failed: { id: 'http://adlnet.gov/expapi/verbs/failed', en: 'failed', zh: '未通过' },
};

/** Named sessions and the time of day (China time) their statements are dated at. */
export const NAMED_SESSIONS: Readonly<Record<string, string>> = {
  morning: '09:00',
  上午: '09:00',
  afternoon: '14:00',
  下午: '14:00',
  evening: '19:00',
  晚上: '19:00',
};
const SESSION_CANONICAL: Readonly<Record<string, string>> = {
  上午: 'morning',
  下午: 'afternoon',
  晚上: 'evening',
};

export const SESSION_EXTENSION = 'https://learn.jlp.cq.cn/xapi/extensions/session';
const MODULE_ACTIVITY_TYPE = 'http://adlnet.gov/expapi/activities/module';

/** Header names accepted for each column (case-insensitive). */
export const ATTENDANCE_COLUMNS = {
  learner: ['learner', 'learner_id', 'actor'],
  date: ['date'],
  session: ['session'],
  learningPoint: ['learning_point', 'learning_point_id', 'point'],
  module: ['module', 'course_module', 'skill', 'skill_id'],
  outcome: ['outcome'],
  score: ['score'],
} as const;
type Column = keyof typeof ATTENDANCE_COLUMNS;

/** The sheet as a whole cannot be read (syntax, header); answered with 400. */
export class AttendanceCsvError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'AttendanceCsvError';
  }
}

export interface AttendanceCsvOptions {
  readonly reference: ReferenceIndex;
  /** homePage of the account a registry learner id (L000123, UUID) is written as. */
  readonly learnerHomePage: string;
  /** A credential bound to a point may only upload for it; an empty point column means this point. */
  readonly boundLearningPointId?: string;
  /** Dates after today in China are refused. */
  readonly now?: () => Date;
}

export interface AttendanceRow {
  readonly line: number;
  readonly statement: Statement & { id: string };
}

export interface RejectedAttendanceRow {
  readonly line: number;
  readonly reasons: readonly string[];
}

export interface ParsedAttendanceSheet {
  readonly rows: readonly AttendanceRow[];
  readonly rejected: readonly RejectedAttendanceRow[];
}

/** Turns a sheet into statements; bad rows are listed with every reason, good rows are kept. */
export function parseAttendanceCsv(text: string, options: AttendanceCsvOptions): ParsedAttendanceSheet {
  let document;
  try {
    document = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      throw new AttendanceCsvError(`CSV syntax: ${error.message}`, error.line);
    throw error;
  }
  const columns = locateColumns(document.header.fields, document.header.line, options);
  const skills = new Map(options.reference.data.skills.map((s) => [s.id, s]));
  const courses = new Map(options.reference.data.courses.map((c) => [c.id, c]));
  const today = chinaDate(options.now?.() ?? new Date());
  const rows: AttendanceRow[] = [];
  const rejected: RejectedAttendanceRow[] = [];
  for (const record of document.records) {
    if (record.fields.every((f) => f.trim() === '')) continue;
    const cell = (column: Column): string => {
      const index = columns[column];
      return index === undefined ? '' : (record.fields[index] ?? '').trim();
    };
    const result = buildStatement(cell, { ...options, skills, courses, today });
    if ('reasons' in result) rejected.push({ line: record.line, reasons: result.reasons });
    else rows.push({ line: record.line, statement: result.statement });
  }
  return { rows, rejected };
}

function locateColumns(
  header: readonly string[],
  line: number,
  options: AttendanceCsvOptions,
): Partial<Record<Column, number>> {
  const names = header.map((h) => h.trim().toLowerCase());
  const columns: Partial<Record<Column, number>> = {};
  for (const [column, aliases] of Object.entries(ATTENDANCE_COLUMNS) as [Column, readonly string[]][]) {
    const index = names.findIndex((n) => aliases.includes(n));
    if (index >= 0) columns[column] = index;
  }
  const required = (['learner', 'date', 'session', 'learningPoint', 'module', 'outcome'] as const).filter(
    (c) => c !== 'learningPoint' || options.boundLearningPointId === undefined,
  );
  const missing = required.filter((c) => columns[c] === undefined);
  if (missing.length > 0) {
    throw new AttendanceCsvError(
      `line ${line}: the header lacks column(s) ${missing.map((c) => ATTENDANCE_COLUMNS[c][0]).join(', ')}; ` +
        `expected ${Object.values(ATTENDANCE_COLUMNS)
          .map((a) => a[0])
          .join(',')} (score optional)`,
      line,
    );
  }
  return columns;
}

interface BuildContext extends AttendanceCsvOptions {
  readonly skills: ReadonlyMap<string, Skill>;
  readonly courses: ReadonlyMap<string, Course>;
  readonly today: string;
}

type Cell<T> = { readonly value: T } | { readonly reason: string };
const ok = <T>(value: T): Cell<T> => ({ value });
const bad = <T>(reason: string): Cell<T> => ({ reason });

function buildStatement(
  cell: (column: Column) => string,
  context: BuildContext,
): { statement: Statement & { id: string } } | { reasons: string[] } {
  const actorCell = learnerActor(cell('learner'), context.learnerHomePage);
  const dateCell = calendarDate(cell('date'), context.today);
  const sessionCell = sessionTime(cell('session'));
  const pointCell = learningPoint(cell('learningPoint'), context);
  const skillCell = skillOf(cell('module'), context.skills);
  const outcomeCell = outcomeOf(cell('outcome'));
  const scoreCell = scoreOf(cell('score'), 'value' in outcomeCell ? outcomeCell.value : undefined);
  if (
    !('value' in actorCell) ||
    !('value' in dateCell) ||
    !('value' in sessionCell) ||
    !('value' in pointCell) ||
    !('value' in skillCell) ||
    !('value' in outcomeCell) ||
    !('value' in scoreCell)
  ) {
    const cells: Cell<unknown>[] = [
      actorCell,
      dateCell,
      sessionCell,
      pointCell,
      skillCell,
      outcomeCell,
      scoreCell,
    ];
    return { reasons: cells.flatMap((c) => ('reason' in c ? [c.reason] : [])) };
  }
  const [actor, date, session, pointId, skill, outcome, score] = [
    actorCell.value,
    dateCell.value,
    sessionCell.value,
    pointCell.value,
    skillCell.value,
    outcomeCell.value,
    scoreCell.value,
  ];
  const course = context.courses.get(skill.courseId);
  const verb = VERBS[outcome];
  const id = uuidV5(
    [actorKey(actor), date, session.label, pointId, skill.id, outcome].join('|'),
    ATTENDANCE_ID_NAMESPACE,
  );
  const result = resultOf(outcome, score);
  const input = {
    id,
    actor,
    verb: { id: verb.id, display: { 'en-US': verb.en, 'zh-CN': verb.zh } },
    object: {
      objectType: 'Activity',
      id: skill.activityIri,
      definition: {
        type: MODULE_ACTIVITY_TYPE,
        name: { 'zh-CN': skill.nameZh, 'en-US': skill.nameEn },
      },
    },
    ...(result && { result }),
    context: {
      ...(course && { contextActivities: { parent: [{ objectType: 'Activity', id: course.activityIri }] } }),
      extensions: { [LEARNING_POINT_EXTENSION]: pointId, [SESSION_EXTENSION]: session.label },
    },
    timestamp: `${date}T${session.time}:00+08:00`,
  };
  const validated = validateStatement(input, { version: '1.0.3' });
  if (!validated.ok) return { reasons: validated.errors.map((e) => e.message) };
  return { statement: { ...validated.statement, id } };
}

function learnerActor(raw: string, learnerHomePage: string): Cell<Agent> {
  if (raw === '')
    return bad('learner: required (a registry learner id such as L000123, or an e-mail address)');
  const lowerUuid = /^[0-9a-f-]{36}$/i.test(raw) ? raw.toLowerCase() : raw;
  if (LEARNER_ID_PATTERN.test(lowerUuid)) {
    return ok({ objectType: 'Agent', account: { homePage: learnerHomePage, name: lowerUuid } });
  }
  if (/^[^\s@:]+@[^\s@]+$/.test(raw)) return ok({ objectType: 'Agent', mbox: `mailto:${raw}` });
  if (raw.startsWith('mailto:')) return ok({ objectType: 'Agent', mbox: raw });
  if (actorKeyProblem(raw) === undefined) {
    const key = canonicalActorKey(raw);
    const rest = key.slice(key.indexOf(':') + 1);
    if (key.startsWith('mbox:')) return ok({ objectType: 'Agent', mbox: rest });
    if (key.startsWith('mbox_sha1sum:')) return ok({ objectType: 'Agent', mbox_sha1sum: rest });
    if (key.startsWith('openid:')) return ok({ objectType: 'Agent', openid: rest });
    const bar = rest.indexOf('|');
    return ok({ objectType: 'Agent', account: { homePage: rest.slice(0, bar), name: rest.slice(bar + 1) } });
  }
  return bad(
    `learner: "${raw}" is neither a registry learner id (L000123 or a UUID), an e-mail address nor an actor key (mbox:…, account:<homePage>|<name>, openid:…)`,
  );
}

function calendarDate(raw: string, today: string): Cell<string> {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  if (!match) return bad(`date: "${raw}" must be YYYY-MM-DD (China time)`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return bad(`date: "${raw}" is not a calendar date`);
  }
  if (raw > today) return bad(`date: ${raw} is in the future (today is ${today} in China)`);
  return ok(raw);
}

function sessionTime(raw: string): Cell<{ label: string; time: string }> {
  const lower = raw.toLowerCase();
  const named = NAMED_SESSIONS[lower];
  if (named !== undefined) return ok({ label: SESSION_CANONICAL[lower] ?? lower, time: named });
  const match = /^(\d{1,2}):(\d{2})$/.exec(raw);
  if (match && Number(match[1]) < 24 && Number(match[2]) < 60) {
    const time = `${match[1].padStart(2, '0')}:${match[2]}`;
    return ok({ label: time, time });
  }
  return bad(
    `session: "${raw}" must be morning, afternoon, evening (上午, 下午, 晚上) or a time such as 14:30`,
  );
}

function learningPoint(raw: string, context: BuildContext): Cell<string> {
  const bound = context.boundLearningPointId;
  const id = raw === '' ? bound : raw;
  if (id === undefined) return bad('learning point: required (e.g. LP001)');
  if (!context.reference.findLearningPoint(id)) return bad(`learning point: unknown id "${id}"`);
  if (bound !== undefined && id !== bound) {
    return bad(`learning point: this credential is bound to ${bound} and cannot record ${id}`);
  }
  return ok(id);
}

function skillOf(raw: string, skills: ReadonlyMap<string, Skill>): Cell<Skill> {
  const skill = skills.get(raw);
  if (skill) return ok(skill);
  return bad(`module: unknown skill "${raw}" (one of ${[...skills.keys()].join(', ')})`);
}

function outcomeOf(raw: string): Cell<AttendanceOutcome> {
  const value = raw.toLowerCase();
  const known = ATTENDANCE_OUTCOMES.find((o) => o === value);
  return known ? ok(known) : bad(`outcome: "${raw}" must be one of ${ATTENDANCE_OUTCOMES.join(', ')}`);
}

function scoreOf(raw: string, outcome: AttendanceOutcome | undefined): Cell<number | null> {
  if (raw === '') return ok(null);
  if (!/^\d{1,3}(?:\.\d+)?$/.test(raw) || Number(raw) > 100) {
    return bad(`score: "${raw}" must be a number from 0 to 100`);
  }
  if (outcome === 'attended')
    return bad('score: an attendance row has no score (use completed, passed or failed)');
  return ok(Number(raw));
}

function resultOf(outcome: AttendanceOutcome, score: number | null): Record<string, unknown> | undefined {
  const scored = score === null ? {} : { score: { raw: score, min: 0, max: 100, scaled: score / 100 } };
  switch (outcome) {
    case 'attended':
      return undefined;
    case 'completed':
      return { completion: true, ...scored };
    case 'passed':
      return { completion: true, success: true, ...scored };
    case 'failed':
      return { completion: true, success: false, ...scored };
  }
}

function chinaDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}
