import { randomUUID } from 'node:crypto';

import { loadReferenceData, type ReferenceData } from '@app/reference';

import { runMigrations } from '../../migration-runner';
import { StatementRowSchema, type StatementRowInput } from '../../statement-row';
import { StatementRowWriter } from '../../statement-store';
import { statementRowFixture } from '../../testing/statement-row.fixture';
import type { Warehouse } from '../../warehouse.port';
import {
  activeLearners,
  activeLearningPoints,
  classroomToOnline,
  engagementBreakdown,
  engagementByDay,
  engagementByTown,
  loadReferenceDimensions,
  queueVoidedRecount,
  rebuildAggregates,
  recountVoidedStatements,
  skillFunnel,
} from '../index';

type Rows = Record<string, unknown>[];

const SKILL_IRI = 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module';

/** A statement at a learning point of 白市驿镇 (T05, west) unless overridden. Timestamps are UTC. */
function statement(overrides: Partial<StatementRowInput>): StatementRowInput {
  return statementRowFixture({
    learning_point_id: 'LP046',
    school_id: 'S05',
    town: 'T05',
    region: 'west',
    home_town: 'T05',
    skill: 'chinese-input',
    object_id: `${SKILL_IRI}/3`,
    verb_category: 'experienced',
    verb_id: 'http://adlnet.gov/expapi/verbs/experienced',
    success: null,
    completion: null,
    score_scaled: null,
    duration_seconds: 600,
    ...overrides,
  });
}

/**
 * The aggregates' behaviour, run against a real engine through one adapter. `open` returns a warehouse on
 * an empty database; the suite migrates it and loads the reference dimensions. The tests share the store and
 * each uses its own days and learners; the rebuild test runs last and sees everything before it.
 */
export function describeAggregatesContract(label: string, open: () => Promise<Warehouse>): void {
  describe(`aggregates: ${label}`, () => {
    let warehouse: Warehouse;
    let writer: StatementRowWriter;
    let reference: ReferenceData;

    beforeAll(async () => {
      warehouse = await open();
      await runMigrations(warehouse);
      reference = await loadReferenceData();
      await loadReferenceDimensions(warehouse, reference);
      writer = new StatementRowWriter(warehouse);
    });

    afterAll(async () => {
      await warehouse?.close();
    });

    async function writeAll(rows: readonly StatementRowInput[]): Promise<void> {
      const result = await writer.writeNewStatements(rows);
      expect(result.rejected).toEqual([]);
    }

    /** Every aggregate table merged to its final state, for before/after comparisons. */
    async function aggregateSnapshot(): Promise<{
      engagement: Rows;
      skills: Rows;
      channels: Rows;
      learnerDays: Rows;
    }> {
      const engagement = await warehouse.query(
        `SELECT day, region, town, learning_point_id, source, verb_category, age_band, gender, home_town,
                sum(statement_count) AS statements, uniqExactMerge(learners) AS learners,
                sum(time_spent_seconds) AS seconds, sum(timed_statement_count) AS timed
         FROM engagement_daily GROUP BY ALL ORDER BY ALL`,
      );
      const skills = await warehouse.query(
        `SELECT skill, learner_key, sum(statement_count) AS statements, sum(time_spent_seconds) AS seconds,
                max(best_score) AS best, min(first_attempt_at) AS first_attempt, min(first_completed_at) AS completed,
                min(first_passed_at) AS passed, max(last_activity_at) AS last, argMinMerge(first_town) AS town
         FROM skill_progress GROUP BY ALL ORDER BY ALL`,
      );
      const channels = await warehouse.query(
        `SELECT learner_key, source, min(first_at) AS first_at, max(last_at) AS last_at,
                sum(statement_count) AS statements
         FROM learner_channels GROUP BY ALL ORDER BY ALL`,
      );
      const learnerDays = await warehouse.query(
        `SELECT day, region, town, learning_point_id, source, age_band, gender, home_town, toString(learner) AS learner,
                sum(statement_count) AS statements, sum(time_spent_seconds) AS seconds, sum(timed_statement_count) AS timed
         FROM learner_daily GROUP BY ALL ORDER BY ALL`,
      );
      return { engagement, skills, channels, learnerDays };
    }

    describe('reference dimensions', () => {
      it('hold the reference data (19 towns, 176 learning points, 5 skills) and reload idempotently', async () => {
        const dump = async (): Promise<unknown[]> => [
          await warehouse.query('SELECT * FROM dim_towns ORDER BY town_id'),
          await warehouse.query('SELECT * FROM dim_learning_points ORDER BY learning_point_id'),
          await warehouse.query('SELECT * FROM dim_skills ORDER BY skill_id'),
        ];
        const before = await dump();
        const counts = await loadReferenceDimensions(warehouse, reference);
        const after = await dump();

        expect(counts).toEqual({ towns: 19, learningPoints: 176, skills: 5 });
        expect(after).toEqual(before);
        expect(after.map((table) => (table as unknown[]).length)).toEqual([
          reference.towns.length,
          reference.learningPoints.length,
          reference.skills.length,
        ]);
        const [totals] = await warehouse.query(
          `SELECT toUInt32(sum(population)) AS population, round(sum(spending_2015_wan_cny), 2) AS spending,
                  toUInt32(sum(learning_point_count)) AS points
           FROM dim_towns`,
        );
        expect(totals).toEqual({
          population: reference.towns.reduce((sum, town) => sum + town.population, 0),
          spending: reference.budget2015.sumOfRows,
          points: 176,
        });
        // Edited reference data replaces the content (rows gone from the files are gone from the tables).
        const edited: ReferenceData = {
          ...reference,
          towns: reference.towns.map((town) => (town.id === 'T01' ? { ...town, population: 1 } : town)),
          skills: reference.skills.slice(0, 4),
        };
        expect(await loadReferenceDimensions(warehouse, edited)).toMatchObject({ skills: 4 });
        expect(await warehouse.query("SELECT population FROM dim_towns WHERE town_id = 'T01'")).toEqual([
          { population: 1 },
        ]);
        expect(await warehouse.query('SELECT toUInt32(count()) AS n FROM dim_skills')).toEqual([{ n: 4 }]);
        await loadReferenceDimensions(warehouse, reference);
        expect(await dump()).toEqual(before);

        // No staging copies left behind.
        const tables = await warehouse.query<{ name: string }>(
          "SELECT name FROM system.tables WHERE database = currentDatabase() AND match(name, '_load_[0-9a-f]{12}$')",
        );
        expect(tables).toEqual([]);
      });
    });

    describe('engagement_daily', () => {
      it('aggregates written statements by local day and every dimension', async () => {
        await writeAll([
          // 17:30 UTC is 01:30 the next day in Chongqing.
          statement({ timestamp: '2024-04-01 17:30:00.000000', learner_id: 'L-E1', duration_seconds: 100 }),
          statement({ timestamp: '2024-04-01 23:00:00.000000', learner_id: 'L-E1', duration_seconds: 50 }),
          statement({ timestamp: '2024-04-02 01:00:00.000000', learner_id: 'L-E2', duration_seconds: null }),
          statement({
            timestamp: '2024-04-02 02:00:00.000000',
            learner_id: 'L-E3',
            learning_point_id: 'LP101',
            town: 'T12',
            region: 'east',
            source: 'portal',
            age_band: '70-79',
            gender: 'male',
            home_town: 'T12',
            verb_category: 'completed',
          }),
        ]);
        const rows = await warehouse.query(
          `SELECT toString(day) AS local_day, region, town, learning_point_id, source, verb_category, age_band, gender,
                  home_town, toUInt32(sum(statement_count)) AS statements, toUInt32(uniqExactMerge(learners)) AS learners,
                  sum(time_spent_seconds) AS seconds, toUInt32(sum(timed_statement_count)) AS timed
           FROM engagement_daily WHERE day BETWEEN '2024-04-01' AND '2024-04-03' GROUP BY ALL ORDER BY ALL`,
        );
        expect(rows).toEqual([
          {
            local_day: '2024-04-02',
            region: 'east',
            town: 'T12',
            learning_point_id: 'LP101',
            source: 'portal',
            verb_category: 'completed',
            age_band: '70-79',
            gender: 'male',
            home_town: 'T12',
            statements: 1,
            learners: 1,
            seconds: 600,
            timed: 1,
          },
          {
            local_day: '2024-04-02',
            region: 'west',
            town: 'T05',
            learning_point_id: 'LP046',
            source: 'classroom',
            verb_category: 'experienced',
            age_band: '60-69',
            gender: 'female',
            home_town: 'T05',
            statements: 3,
            learners: 2,
            seconds: 150,
            timed: 2,
          },
        ]);
      });

      it('counts a learner active on two days once over the range (exact distinct learners)', async () => {
        await writeAll([
          statement({ timestamp: '2024-05-10 02:00:00.000000', learner_id: 'L-D1' }),
          statement({ timestamp: '2024-05-11 02:00:00.000000', learner_id: 'L-D1', source: 'app' }),
          statement({ timestamp: '2024-05-10 03:00:00.000000', learner_id: 'L-D2', town: 'T10' }),
          // Not in the learner registry: counted by its actor key.
          statement({
            timestamp: '2024-05-11 03:00:00.000000',
            learner_id: '',
            actor_key: 'mbox:mailto:x@example.org',
          }),
          statement({
            timestamp: '2024-05-11 04:00:00.000000',
            learner_id: '',
            actor_key: 'mbox:mailto:x@example.org',
          }),
        ]);

        const days = await engagementByDay(warehouse, { from: '2024-05-10', to: '2024-05-11' });
        expect(
          days.map(({ day, learner_count, statement_count }) => ({ day, learner_count, statement_count })),
        ).toEqual([
          { day: '2024-05-10', learner_count: 2, statement_count: 2 },
          { day: '2024-05-11', learner_count: 2, statement_count: 3 },
        ]);
        expect(await activeLearners(warehouse, { days: 2, asOf: '2024-05-11' })).toEqual({
          from_day: '2024-05-10',
          to_day: '2024-05-11',
          learner_count: 3,
          statement_count: 5,
        });
        expect(await activeLearners(warehouse, { days: 1, asOf: '2024-05-11' })).toMatchObject({
          learner_count: 2,
        });

        // Without asOf the window ends today in Chongqing.
        const chongqingToday = (): string =>
          new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
        const todayBefore = chongqingToday();
        const recent = await activeLearners(warehouse, { days: 7 });
        expect([todayBefore, chongqingToday()]).toContain(recent.to_day);

        const towns = await engagementByTown(warehouse, { from: '2024-05-10', to: '2024-05-11' });
        expect(towns).toHaveLength(19);
        const baishiyi = towns.find((town) => town.town_id === 'T05');
        expect(baishiyi).toMatchObject({
          town_name: '白市驿镇',
          region: 'west',
          statement_count: 4,
          learner_count: 2,
        });
        expect(baishiyi?.learners_per_1000).toBeCloseTo((2 * 1000) / (baishiyi?.population ?? NaN), 9);
        expect(towns.find((town) => town.town_id === 'T10')).toMatchObject({
          statement_count: 1,
          learner_count: 1,
        });
        expect(towns.find((town) => town.town_id === 'T01')).toMatchObject({
          statement_count: 0,
          learner_count: 0,
        });
        expect(towns.reduce((sum, town) => sum + town.statement_count, 0)).toBe(5);

        const period = { from: '2024-05-10', to: '2024-05-11' };
        expect(await engagementBreakdown(warehouse, { ...period, by: [] })).toEqual([
          { statement_count: 5, learner_count: 3, time_spent_seconds: 3000 },
        ]);
        expect(await engagementBreakdown(warehouse, { ...period, by: ['day'] })).toEqual(
          days.map(({ day, statement_count, learner_count, time_spent_seconds }) => ({
            day,
            statement_count,
            learner_count,
            time_spent_seconds,
          })),
        );
        expect(
          await engagementBreakdown(warehouse, { ...period, by: ['town', 'source'], region: 'west' }),
        ).toEqual([
          { town: 'T05', source: 'app', statement_count: 1, learner_count: 1, time_spent_seconds: 600 },
          {
            town: 'T05',
            source: 'classroom',
            statement_count: 3,
            learner_count: 2,
            time_spent_seconds: 1800,
          },
          { town: 'T10', source: 'classroom', statement_count: 1, learner_count: 1, time_spent_seconds: 600 },
        ]);
        await expect(
          engagementBreakdown(warehouse, { ...period, by: ['town; DROP TABLE statements' as 'town'] }),
        ).rejects.toThrow(/Invalid option/);

        // By home town, L-D2 (lives in T05, learned in T10) counts for T05.
        const homes = await engagementByTown(warehouse, {
          from: '2024-05-10',
          to: '2024-05-11',
          townOf: 'home',
        });
        expect(homes.find((town) => town.town_id === 'T05')).toMatchObject({
          statement_count: 5,
          learner_count: 3,
        });
        expect(homes.find((town) => town.town_id === 'T10')).toMatchObject({
          statement_count: 0,
          learner_count: 0,
        });
      });

      it('reports statements at an unattributed place as their own row', async () => {
        await writeAll([
          statement({
            timestamp: '2024-06-01 02:00:00.000000',
            learning_point_id: 'unattributed',
            town: 'unattributed',
            region: 'unknown',
          }),
        ]);
        const towns = await engagementByTown(warehouse, { from: '2024-06-01', to: '2024-06-01' });
        expect(towns).toHaveLength(20);
        expect(towns.at(-1)).toMatchObject({
          town_id: 'unattributed',
          town_name: null,
          population: null,
          statement_count: 1,
          learners_per_1000: null,
        });
      });

      it('counts the active share of the reference learning points', async () => {
        await writeAll([
          statement({ timestamp: '2024-07-01 02:00:00.000000', learning_point_id: 'LP046' }),
          statement({ timestamp: '2024-07-20 02:00:00.000000', learning_point_id: 'LP047' }),
          statement({ timestamp: '2024-07-20 03:00:00.000000', learning_point_id: 'LP047' }),
          statement({ timestamp: '2024-07-21 02:00:00.000000', learning_point_id: 'unattributed' }),
        ]);
        expect(await activeLearningPoints(warehouse, { days: 30, asOf: '2024-07-30' })).toEqual({
          from_day: '2024-07-01',
          to_day: '2024-07-30',
          active_points: 2,
          total_points: 176,
        });
        // 07-21..07-30: only an unattributed statement, which is no reference point.
        expect(await activeLearningPoints(warehouse, { days: 10, asOf: '2024-07-30' })).toMatchObject({
          active_points: 0,
        });
        expect(await activeLearningPoints(warehouse, { days: 11, asOf: '2024-07-30' })).toMatchObject({
          active_points: 1,
        });
      });

      it('does not count voiding statements', async () => {
        const target = statement({ timestamp: '2024-08-01 02:00:00.000000', learner_id: 'L-V1' });
        await writeAll([target]);
        await writeAll([
          statement({
            timestamp: '2024-08-01 03:00:00.000000',
            learner_id: 'L-V2',
            verb_id: 'http://adlnet.gov/expapi/verbs/voided',
            verb_category: 'other',
            object_type: 'StatementRef',
            object_id: String(target.id),
            voiding_target: String(target.id),
            skill: 'unknown',
          }),
        ]);
        const [day] = await engagementByDay(warehouse, { from: '2024-08-01', to: '2024-08-01' });
        expect(day).toMatchObject({ statement_count: 1, learner_count: 1 });
        const channels = await warehouse.query("SELECT * FROM learner_channels WHERE learner_key = 'L-V2'");
        expect(channels).toEqual([]);
      });
    });

    describe('duplicate delivery', () => {
      it('leaves every aggregate unchanged when the same batch is delivered again', async () => {
        const batch = [
          statement({ timestamp: '2024-09-01 02:00:00.000000', learner_id: 'L-R1', score_scaled: 0.4 }),
          statement({
            timestamp: '2024-09-02 02:00:00.000000',
            learner_id: 'L-R1',
            verb_category: 'passed',
            success: true,
            score_scaled: 0.9,
          }),
          statement({ timestamp: '2024-09-02 03:00:00.000000', learner_id: 'L-R2', source: 'portal' }),
          statement({ timestamp: '2024-09-02 04:00:00.000000', learner_id: '', actor_key: 'account:x|y' }),
        ];
        await writeAll(batch);
        const before = await aggregateSnapshot();

        const again = await writer.writeNewStatements(batch);
        expect(again.inserted).toBe(0);
        expect(again.duplicates).toHaveLength(batch.length);
        expect(await aggregateSnapshot()).toEqual(before);

        // A retried identical block (an insert that landed although the caller did not hear back) is dropped by
        // the deduplication windows of `statements` and of each aggregate table. row_version is given explicitly:
        // its default now64() would make every retry a different block.
        const retried = batch.map((row) => ({
          ...StatementRowSchema.parse({ ...row, id: randomUUID() }),
          row_version: '2024-09-03 00:00:00.000000',
        }));
        await warehouse.insertJsonEachRow('statements', retried);
        const afterFirst = await aggregateSnapshot();
        expect(afterFirst).not.toEqual(before);
        await warehouse.insertJsonEachRow('statements', retried);
        expect(await aggregateSnapshot()).toEqual(afterFirst);
      });
    });

    describe('deduplication windows of the aggregate tables', () => {
      it('keep two different batches whose aggregate rows are identical', async () => {
        const twin = (): StatementRowInput =>
          statement({ timestamp: '2024-09-20 02:00:00.000000', learner_id: 'L-T1' });
        await writeAll([twin()]);
        await writeAll([twin()]);
        const [day] = await engagementByDay(warehouse, { from: '2024-09-20', to: '2024-09-20' });
        expect(day).toMatchObject({ statement_count: 2, learner_count: 1, time_spent_seconds: 1200 });
        const [progress] = await warehouse.query(
          "SELECT toUInt32(sum(statement_count)) AS statements FROM skill_progress WHERE learner_key = 'L-T1'",
        );
        expect(progress).toEqual({ statements: 2 });
      });
    });

    describe('skill_progress', () => {
      it('derives attempted ≥ completed ≥ passed per skill, with best scores and a region filter', async () => {
        const at = (day: number, hour = 2): string =>
          `2024-10-${String(day).padStart(2, '0')} 0${hour}:00:00.000000`;
        await writeAll([
          // S1: attempts only.
          statement({ timestamp: at(1), learner_id: 'L-S1', score_scaled: 0.2 }),
          // S2: completes (completion = true) but does not pass.
          statement({ timestamp: at(1), learner_id: 'L-S2' }),
          statement({ timestamp: at(2), learner_id: 'L-S2', verb_category: 'completed', completion: true }),
          // S3: fails, then passes a day later (success = true without completion: a pass implies completion).
          statement({
            timestamp: at(1),
            learner_id: 'L-S3',
            verb_category: 'failed',
            success: false,
            score_scaled: 0.3,
          }),
          statement({
            timestamp: at(3),
            learner_id: 'L-S3',
            verb_category: 'answered',
            success: true,
            score_scaled: 0.8,
          }),
          // S4: starts in the east and passes another skill.
          statement({
            timestamp: at(2),
            learner_id: 'L-S4',
            town: 'T12',
            region: 'east',
            learning_point_id: 'LP101',
            verb_category: 'passed',
            skill: 'common-software',
            object_id: `${SKILL_IRI}/4`,
            score_scaled: 1,
          }),
          statement({ timestamp: at(4), learner_id: 'L-S4', town: 'T12', region: 'east' }),
          // Outside the cohort period: first attempt in November.
          statement({ timestamp: '2024-11-05 02:00:00.000000', learner_id: 'L-S5', verb_category: 'passed' }),
          // No skill: not in skill_progress.
          statement({ timestamp: at(1), learner_id: 'L-S6', skill: 'unknown' }),
        ]);

        const funnel = await skillFunnel(warehouse, { from: '2024-10-01', to: '2024-10-31' });
        expect(funnel.map((row) => row.skill_id)).toEqual(reference.skills.map((skill) => skill.id));
        const bySkill = new Map(funnel.map((row) => [row.skill_id, row]));
        expect(bySkill.get('chinese-input')).toMatchObject({
          name_zh: '中文输入法',
          attempted: 4,
          completed: 2,
          passed: 1,
          median_days_to_pass: 2,
        });
        expect(bySkill.get('chinese-input')?.average_best_score).toBeCloseTo((0.2 + 0.8) / 2, 9);
        expect(bySkill.get('common-software')).toMatchObject({ attempted: 1, completed: 1, passed: 1 });
        expect(bySkill.get('computer-principles')).toMatchObject({
          attempted: 0,
          completed: 0,
          passed: 0,
          average_best_score: null,
          median_days_to_pass: null,
        });
        for (const row of funnel) {
          expect(row.attempted).toBeGreaterThanOrEqual(row.completed);
          expect(row.completed).toBeGreaterThanOrEqual(row.passed);
        }

        const east = await skillFunnel(warehouse, { from: '2024-10-01', to: '2024-10-31', region: 'east' });
        expect(east.find((row) => row.skill_id === 'chinese-input')).toMatchObject({
          attempted: 1,
          passed: 0,
        });
        expect(east.find((row) => row.skill_id === 'common-software')).toMatchObject({
          attempted: 1,
          passed: 1,
        });

        // Reached by the end of `to`: S3 passed on 10-03, after a report ending on 10-02.
        const early = await skillFunnel(warehouse, { from: '2024-10-01', to: '2024-10-02' });
        expect(early.find((row) => row.skill_id === 'chinese-input')).toMatchObject({
          attempted: 3,
          completed: 1,
          passed: 0,
        });

        const [s3] = await warehouse.query(
          `SELECT toString(min(first_attempt_at)) AS first_attempt, toString(min(first_passed_at)) AS first_pass,
                  max(best_score) AS best, toUInt32(sum(statement_count)) AS statements
           FROM skill_progress WHERE learner_key = 'L-S3' GROUP BY skill`,
        );
        expect(s3).toEqual({
          first_attempt: '2024-10-01 02:00:00.000000',
          first_pass: '2024-10-03 02:00:00.000000',
          best: 0.8,
          statements: 2,
        });
      });
    });

    describe('learner_channels', () => {
      it('finds learners who started in a classroom and went on online', async () => {
        const learner = (id: string, source: string, day: number): StatementRowInput =>
          statement({
            timestamp: `2024-12-${String(day).padStart(2, '0')} 02:00:00.000000`,
            learner_id: id,
            source,
          });
        await writeAll([
          learner('L-C1', 'classroom', 1),
          learner('L-C1', 'portal', 5),
          learner('L-C2', 'kiosk', 2),
          learner('L-C3', 'classroom', 3),
          learner('L-C3', 'app', 3),
          learner('L-C3', 'classroom', 4),
          // Started online: not in the cohort.
          learner('L-C4', 'app', 1),
          learner('L-C4', 'classroom', 2),
          // Started offline before the period.
          statement({ timestamp: '2024-11-20 02:00:00.000000', learner_id: 'L-C5', source: 'classroom' }),
          learner('L-C5', 'portal', 2),
        ]);
        expect(await classroomToOnline(warehouse, { from: '2024-12-01', to: '2024-12-31' })).toEqual({
          started_offline: 3,
          continued_online: 1,
        });
        // L-C3 used the app at the same moment as the classroom: not "later".
        expect(await classroomToOnline(warehouse, { from: '2024-12-03', to: '2024-12-31' })).toEqual({
          started_offline: 1,
          continued_online: 0,
        });
      });
    });

    describe('statements_stored (0013)', () => {
      it('counts the statements per minute of their stored time and keeps the newest stored time', async () => {
        const counted = `voiding_target IS NULL AND verb_id != 'http://adlnet.gov/expapi/verbs/voided'`;
        const [fromStatements] = await warehouse.query(
          `SELECT toUInt32(count()) AS statements, toUInt32(uniqExact(toStartOfMinute(stored), source)) AS minutes,
                  toString(max(stored)) AS newest
           FROM statements WHERE ${counted}`,
        );
        const [fromRollup] = await warehouse.query(
          `SELECT toUInt32(sum(statement_count)) AS statements, toUInt32(uniqExact(minute, source)) AS minutes,
                  toString(max(newest_stored)) AS newest
           FROM statements_stored`,
        );
        expect(fromRollup).toEqual(fromStatements);
      });
    });

    describe('learner_daily (0013)', () => {
      it('counts the same statements, time and distinct learners per day and town as engagement_daily', async () => {
        const per = (table: string, learners: string) =>
          warehouse.query(
            `SELECT toString(day) AS day, town, toUInt32(sum(statement_count)) AS statements,
                    toUInt32(${learners}) AS learners, round(sum(time_spent_seconds), 3) AS seconds
             FROM ${table} GROUP BY day, town ORDER BY day, town`,
          );
        const fromEngagement = await per('engagement_daily', 'uniqExactMerge(learners)');
        expect(fromEngagement.length).toBeGreaterThan(3);
        expect(await per('learner_daily', 'uniqExact(learner)')).toEqual(fromEngagement);
      });
    });

    // Runs second to last: it sees the data of every test above.
    describe('recountVoidedStatements', () => {
      const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided';
      const everything = async () => ({
        ...(await aggregateSnapshot()),
        stored: await warehouse.query(
          `SELECT toString(minute) AS minute, source, sum(statement_count) AS statements,
                  toString(max(newest_stored)) AS newest
           FROM statements_stored GROUP BY ALL ORDER BY ALL`,
        ),
      });
      const voiding = (target: StatementRowInput, timestamp: string): StatementRowInput =>
        statement({
          timestamp,
          stored: timestamp,
          learner_id: String(target.learner_id),
          verb_id: VOIDED_VERB,
          verb_category: 'other',
          object_type: 'StatementRef',
          object_id: String(target.id),
          voiding_target: String(target.id),
        });

      it('takes the queued voided statements out of every aggregate exactly as a full rebuild would', async () => {
        // Targets in two months, of a learner with other statements and of one with none left after.
        const keptByLearner = statement({ timestamp: '2025-02-03 02:00:00.000000', learner_id: 'L-V-KEPT' });
        const targets = [
          statement({
            timestamp: '2025-02-03 03:00:00.000000',
            learner_id: 'L-V-KEPT',
            verb_category: 'completed',
          }),
          statement({ timestamp: '2025-03-05 01:00:00.000000', learner_id: 'L-V-GONE', source: 'app' }),
        ];
        await writeAll([keptByLearner, ...targets]);
        await writeAll(targets.map((t) => voiding(t, '2025-03-06 00:00:00.000000')));
        const counted = await everything();
        expect(counted.learnerDays.some((row) => row.day === '2025-03-05')).toBe(true);

        // Every voiding in the store (earlier tests voided statements too) is queued, the way the sink does.
        const all = await warehouse.query<{ target: string }>(
          'SELECT DISTINCT toString(voiding_target) AS target FROM statements WHERE voiding_target IS NOT NULL',
        );
        await queueVoidedRecount(
          warehouse,
          all.map((row) => row.target),
        );
        const recount = await recountVoidedStatements(warehouse);
        expect(recount.targets).toBe(all.length);
        expect(recount.tables.engagement_daily).toEqual(expect.arrayContaining(['202502', '202503']));
        expect(recount.tables.skill_progress).toEqual(expect.arrayContaining(['L-V-KEPT', 'L-V-GONE']));
        const afterRecount = await everything();
        expect(afterRecount).not.toEqual(counted);
        expect(afterRecount.learnerDays.some((row) => row.day === '2025-03-05')).toBe(false);
        expect(afterRecount.channels.some((row) => row.learner_key === 'L-V-GONE')).toBe(false);
        expect(afterRecount.channels.some((row) => row.learner_key === 'L-V-KEPT')).toBe(true);

        // The oracle: a full rebuild changes nothing more; the queue is empty.
        await rebuildAggregates(warehouse);
        expect(await everything()).toEqual(afterRecount);
        expect((await recountVoidedStatements(warehouse)).targets).toBe(0);
      });
    });

    // Runs last: it sees the data of every test above.
    describe('rebuildAggregates', () => {
      it('recomputes the aggregates from statements without voided statements, changing nothing else', async () => {
        const voidedTarget = statement({ timestamp: '2025-01-10 02:00:00.000000', learner_id: 'L-X1' });
        await writeAll([
          voidedTarget,
          statement({ timestamp: '2025-01-10 03:00:00.000000', learner_id: 'L-X2' }),
          statement({
            timestamp: '2025-01-11 02:00:00.000000',
            learner_id: 'L-X3',
            verb_id: 'http://adlnet.gov/expapi/verbs/voided',
            object_type: 'StatementRef',
            object_id: String(voidedTarget.id),
            voiding_target: String(voidedTarget.id),
          }),
        ]);
        const before = await aggregateSnapshot();
        expect(await engagementByDay(warehouse, { from: '2025-01-10', to: '2025-01-10' })).toMatchObject([
          { statement_count: 2, learner_count: 2 },
        ]);

        const rebuilt = await rebuildAggregates(warehouse);
        const after = await aggregateSnapshot();

        expect(await engagementByDay(warehouse, { from: '2025-01-10', to: '2025-01-10' })).toMatchObject([
          { statement_count: 1, learner_count: 1 },
        ]);
        // Voided earlier (2024-08-01, L-V1) and now (L-X1): both gone; nothing else moved.
        const voidedLearners = new Set(['L-V1', 'L-X1']);
        const withoutVoided = (snapshot: typeof before): typeof before => ({
          engagement: snapshot.engagement.filter(
            (row) => !['2024-08-01', '2025-01-10'].includes(String(row.day)),
          ),
          skills: snapshot.skills.filter((row) => !voidedLearners.has(String(row.learner_key))),
          channels: snapshot.channels.filter((row) => !voidedLearners.has(String(row.learner_key))),
          learnerDays: snapshot.learnerDays.filter(
            (row) => !['2024-08-01', '2025-01-10'].includes(String(row.day)),
          ),
        });
        expect(withoutVoided(after)).toEqual(withoutVoided(before));
        expect(after.skills.filter((row) => voidedLearners.has(String(row.learner_key)))).toEqual([]);
        expect(after.channels.filter((row) => voidedLearners.has(String(row.learner_key)))).toEqual([]);
        expect(after.engagement.filter((row) => row.day === '2024-08-01')).toEqual([]);
        expect(after.learnerDays.filter((row) => row.day === '2024-08-01')).toEqual([]);
        expect(rebuilt).toEqual({
          engagement_daily: expect.any(Number),
          skill_progress: after.skills.length,
          learner_channels: after.channels.length,
          learner_daily: expect.any(Number),
          statements_stored: expect.any(Number),
          activity_definitions: expect.any(Number),
        });

        // Idempotent, and the views keep feeding the rebuilt tables.
        await rebuildAggregates(warehouse);
        expect(await aggregateSnapshot()).toEqual(after);
        await writeAll([statement({ timestamp: '2025-01-10 04:00:00.000000', learner_id: 'L-X4' })]);
        expect(await engagementByDay(warehouse, { from: '2025-01-10', to: '2025-01-10' })).toMatchObject([
          { statement_count: 2, learner_count: 2 },
        ]);
      });
    });
  });
}
