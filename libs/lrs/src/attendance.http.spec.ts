import { LEARNING_POINT_EXTENSION } from '@app/enrichment';
import { basic, startLrsTestApp, type LrsTestApp } from './testing/lrs-test-app';

const HEADERS = {
  'x-experience-api-version': '1.0.3',
  authorization: basic('teacher', 'teacher-secret'),
  'content-type': 'text/csv; charset=utf-8',
};

const SHEET = [
  'learner,date,session,learning_point,module,outcome,score',
  'L000123,2026-03-02,morning,LP002,computer-principles,attended,',
  'wang.fang@example.cn,2026-03-02,afternoon,LP002,chinese-input,passed,86',
  'L000124,2026-03-02,14:30,LP002,common-software,failed,40',
].join('\r\n');

interface AttendanceAnswer {
  accepted: { line: number; id: string; status: string }[];
  rejected: { line: number; reasons: string[] }[];
  stored: number;
  alreadyStored: number;
}

interface Received {
  statement: {
    id: string;
    actor: unknown;
    verb: { id: string };
    object: { id: string };
    timestamp: string;
    result?: unknown;
    context: { extensions: Record<string, unknown> };
  };
  source: { type: string; credentialKey: string; boundLearningPointId?: string };
}

describe('POST /xapi/classroom/attendance', () => {
  let t: LrsTestApp;
  beforeEach(async () => {
    t = await startLrsTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  const upload = (payload: string, headers: Record<string, string> = HEADERS) =>
    t.app.inject({ method: 'POST', url: '/xapi/classroom/attendance', headers, payload });

  it('turns each row into a classroom statement dated at the session time in China', async () => {
    const response = await upload(SHEET);
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-experience-api-version']).toBe('1.0.3');
    const answer = response.json() as AttendanceAnswer;
    expect(answer.rejected).toEqual([]);
    expect(answer.accepted.map((a) => a.line)).toEqual([2, 3, 4]);
    expect(answer.stored).toBe(3);
    const values = t.producer.values() as Received[];
    expect(values.map((v) => v.statement.id)).toEqual(answer.accepted.map((a) => a.id));
    expect(values.map((v) => v.statement.timestamp)).toEqual([
      '2026-03-02T09:00:00+08:00',
      '2026-03-02T14:00:00+08:00',
      '2026-03-02T14:30:00+08:00',
    ]);
    expect(values.map((v) => v.statement.verb.id)).toEqual([
      'http://adlnet.gov/expapi/verbs/attended',
      'http://adlnet.gov/expapi/verbs/passed',
      'http://adlnet.gov/expapi/verbs/failed',
    ]);
    expect(values[0].statement.actor).toEqual({
      objectType: 'Agent',
      account: { homePage: 'https://learn.jlp.cq.cn/learners', name: 'L000123' },
    });
    expect(values[1].statement.actor).toEqual({ objectType: 'Agent', mbox: 'mailto:wang.fang@example.cn' });
    expect(values[1].statement.object.id).toBe(
      'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/3',
    );
    expect(values[1].statement.result).toEqual({
      completion: true,
      success: true,
      score: { raw: 86, min: 0, max: 100, scaled: 0.86 },
    });
    expect(values[0].statement.context.extensions[LEARNING_POINT_EXTENSION]).toBe('LP002');
    expect(values.every((v) => v.source.type === 'classroom' && v.source.credentialKey === 'teacher')).toBe(
      true,
    );
    expect(t.producer.keys()[0]).toBe('account:https://learn.jlp.cq.cn/learners|L000123');
  });

  it('uploading the same sheet twice gives the same ids and sends nothing new (lookup knows them)', async () => {
    const first = (await upload(SHEET)).json() as AttendanceAnswer;
    const firstMessages = t.producer.values() as Received[];
    // A fresh process (empty recent cache) whose warehouse holds the first upload.
    await t.close();
    t = await startLrsTestApp();
    for (const value of firstMessages) t.lookup.add(value.statement);
    const second = await upload(SHEET);
    expect(second.statusCode).toBe(200);
    const answer = second.json() as AttendanceAnswer;
    expect(answer.accepted.map((a) => a.id)).toEqual(first.accepted.map((a) => a.id));
    expect(answer.accepted.every((a) => a.status === 'duplicate')).toBe(true);
    expect(answer.stored).toBe(0);
    expect(t.producer.sent).toHaveLength(0);
    expect(t.lookup.calls).toBe(1);
  });

  it('also recognises a re-upload within the same process', async () => {
    await upload(SHEET);
    const again = (await upload(SHEET)).json() as AttendanceAnswer;
    expect(again.alreadyStored).toBe(3);
    expect(t.producer.sent).toHaveLength(3);
  });

  it('accepts the good rows and lists each bad row with its reasons', async () => {
    const sheet = [
      'learner,date,session,learning_point,module,outcome,score',
      'L000123,2026-03-02,morning,LP002,computer-principles,attended,',
      'L000125,2026-02-30,noon,LP999,typing,slept,',
      'L000126,2026-03-03,morning,LP002,chinese-input,attended,90',
      'L000127,2999-01-01,morning,LP002,chinese-input,completed,',
    ].join('\n');
    const response = await upload(sheet);
    expect(response.statusCode).toBe(200);
    const answer = response.json() as AttendanceAnswer;
    expect(answer.accepted.map((a) => a.line)).toEqual([2]);
    expect(answer.rejected.map((r) => r.line)).toEqual([3, 4, 5]);
    const [bad, scored, future] = answer.rejected;
    expect(bad.reasons).toHaveLength(5);
    expect(bad.reasons.join('\n')).toMatch(/date: "2026-02-30" is not a calendar date/);
    expect(bad.reasons.join('\n')).toMatch(/session: "noon"/);
    expect(bad.reasons.join('\n')).toMatch(/learning point: unknown id "LP999"/);
    expect(bad.reasons.join('\n')).toMatch(/module: unknown skill "typing"/);
    expect(bad.reasons.join('\n')).toMatch(/outcome: "slept"/);
    expect(scored.reasons).toEqual([expect.stringMatching(/attendance row has no score/)]);
    expect(future.reasons).toEqual([expect.stringMatching(/in the future/)]);
    expect(t.producer.sent).toHaveLength(1);
  });

  it('a changed score for an already recorded row is a conflict for that row only', async () => {
    await upload(SHEET);
    const changed = SHEET.replace('passed,86', 'passed,88');
    const answer = (await upload(changed)).json() as AttendanceAnswer;
    expect(answer.rejected).toEqual([
      {
        line: 3,
        reasons: [expect.stringMatching(/already recorded with different content .*result\.score/)],
      },
    ]);
    expect(answer.accepted.map((a) => a.line)).toEqual([2, 4]);
    expect(t.producer.sent).toHaveLength(3);
  });

  it('400 when every row is rejected, and for a header without the required columns', async () => {
    const allBad = await upload('learner,date,session,learning_point,module,outcome\n,,,,,\nx,y,z,LP1,m,o\n');
    expect(allBad.statusCode).toBe(400);
    expect((allBad.json() as AttendanceAnswer).rejected).toHaveLength(1);
    const header = await upload('learner,date\nL000123,2026-03-02\n');
    expect(header.statusCode).toBe(400);
    expect(header.json().message).toMatch(/lacks column\(s\) session, learning_point, module, outcome/);
    expect(t.producer.sent).toHaveLength(0);
  });

  it('a kiosk credential bound to a point records only that point, and fills an empty point column', async () => {
    const kiosk = { ...HEADERS, authorization: basic('kiosk-lp001', 'kiosk-secret') };
    const sheet = [
      'learner,date,session,learning_point,module,outcome',
      'L000123,2026-03-02,morning,,computer-principles,attended',
      'L000124,2026-03-02,morning,LP002,computer-principles,attended',
    ].join('\n');
    const answer = (await upload(sheet, kiosk)).json() as AttendanceAnswer;
    expect(answer.accepted.map((a) => a.line)).toEqual([2]);
    expect(answer.rejected[0].reasons[0]).toMatch(/bound to LP001/);
    const [value] = t.producer.values() as Received[];
    expect(value.statement.context.extensions[LEARNING_POINT_EXTENSION]).toBe('LP001');
    expect(value.source).toEqual({
      type: 'classroom',
      credentialKey: 'kiosk-lp001',
      boundLearningPointId: 'LP001',
    });
  });

  it('needs statements/write', async () => {
    const response = await upload(SHEET, { ...HEADERS, authorization: basic('reader', 'reader-secret') });
    expect(response.statusCode).toBe(403);
  });
});
