import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import {
  ChdbWarehouse,
  classroomToOnline,
  engagementByTown,
  rebuildAggregates,
  refreshViewsNow,
  skillFunnel,
} from '@app/warehouse';

import { intervalFor, resolveVariableOptions } from './bench-panels';
import { DASHBOARDS, buildDashboardJson } from './dashboards';
import { expandQuery, type VariableInput } from './macros';
import { clickhousePanelQueries, currentSelections, type PanelQuery } from './panel-queries';
import { RAW_QUESTIONS } from './raw-questions';
import { loadSimulatedMonth, type SimulatedMonth } from './testing/simulated-warehouse';

const dataDir = mkdtempSync(path.join(tmpdir(), 'dashboards-panels-'));
const wh = new ChdbWarehouse(dataDir);
let month: SimulatedMonth;
const selections: Record<string, Record<string, VariableInput>> = {};

beforeAll(async () => {
  month = await loadSimulatedMonth(wh, { learners: 1500, days: 30, end: new Date() });
  for (const name of Object.keys(DASHBOARDS)) {
    selections[name] = currentSelections(
      buildDashboardJson(name),
      await resolveVariableOptions(wh, name, month),
    );
  }
}, 300_000);

afterAll(async () => {
  await wh.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const localDay = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

function expand(
  q: PanelQuery | string,
  dashboardName: string,
  overrides: Record<string, VariableInput> = {},
): string {
  const sql = typeof q === 'string' ? q : q.rawSql;
  return expandQuery(sql, {
    from: month.from,
    to: month.to,
    intervalSeconds: intervalFor(month),
    variables: { ...selections[dashboardName], ...overrides },
  });
}

function panel(dashboardName: string, titleStart: string): PanelQuery {
  const found = clickhousePanelQueries(buildDashboardJson(dashboardName)).find((q) =>
    q.title.startsWith(titleStart),
  );
  if (found === undefined) throw new Error(`no panel "${titleStart}" in ${dashboardName}`);
  return found;
}

async function run(q: PanelQuery, overrides: Record<string, VariableInput> = {}) {
  return wh.query<Record<string, unknown>>(expand(q, dashboardOf(q), overrides));
}

function dashboardOf(q: PanelQuery): string {
  return Object.keys(DASHBOARDS).find((n) => buildDashboardJson(n).uid === q.dashboard)!;
}

const NUMERIC = /^(Nullable\()?(U?Int\d+|Float\d+|Decimal)/;
const TIME = /^(Nullable\()?(DateTime|DateTime64|Date)\b/;
const STRING = /^(Nullable\()?(LowCardinality\()?String/;

const allQueries = Object.keys(DASHBOARDS).flatMap((name) =>
  clickhousePanelQueries(buildDashboardJson(name)).map((q) => [`${name} / ${q.title}`, name, q] as const),
);

describe('every ClickHouse panel on a simulated month', () => {
  it('loaded a month of statements', () => {
    expect(month.statements).toBeGreaterThan(10_000);
  });

  it.each(allQueries)('%s returns rows of the shape its panel needs', async (_label, name, q) => {
    const sql = expand(q, name);
    const columns = await wh.query<{ name: string; type: string }>(`DESCRIBE TABLE (${sql})`);
    const rows = await wh.query<Record<string, unknown>>(sql);
    expect(rows.length).toBeGreaterThan(0);
    const types = columns.map((c) => c.type);
    switch (q.panelType) {
      case 'timeseries':
        expect(types[0]).toMatch(TIME);
        expect(types.slice(1).some((t) => NUMERIC.test(t))).toBe(true);
        break;
      case 'barchart':
        expect(types[0]).toMatch(STRING);
        expect(types.slice(1).every((t) => NUMERIC.test(t))).toBe(true);
        expect(types.length).toBeGreaterThan(1);
        break;
      case 'stat':
        expect(rows).toHaveLength(1);
        expect(types.every((t) => NUMERIC.test(t))).toBe(true);
        break;
      default:
        expect(q.panelType).toBe('table');
    }
  });
});

describe('panel values agree with the aggregate queries and with each other', () => {
  it('the funnel per module equals skillFunnel for the same days', async () => {
    const funnel = await skillFunnel(wh, { from: localDay(month.from), to: localDay(month.to) });
    const rows = await run(panel('skill', '各模块学习漏斗'));
    expect(rows.map((r) => Object.values(r).slice(1))).toEqual(
      funnel.map((f) => [f.attempted, f.completed, f.passed]),
    );
    expect(funnel.reduce((sum, f) => sum + f.passed, 0)).toBeGreaterThan(0);
  });

  it('classroom starters who went online equal classroomToOnline for the same days', async () => {
    const expected = await classroomToOnline(wh, { from: localDay(month.from), to: localDay(month.to) });
    const [row] = await run(panel('skill', '课堂起步后自主在线学习的比例'));
    expect(expected.started_offline).toBeGreaterThan(0);
    expect([row['课堂起步 · Started in class'], row['转向在线 · Went online']]).toEqual([
      expected.started_offline,
      expected.continued_online,
    ]);
  });

  it('learners per 1,000 residents by town equal engagementByTown by home town', async () => {
    const towns = await engagementByTown(wh, {
      from: localDay(month.from),
      to: localDay(month.to),
      townOf: 'home',
    });
    const expected = towns
      .filter((t) => t.population !== null && t.population > 0)
      .sort((a, b) => (a.region ?? '').localeCompare(b.region ?? ''))
      .map((t) => t.learners_per_1000);
    const rows = await run(panel('balance', '每千名居民参与人数'));
    const rates = rows.map((r) => (r['东部 · East'] ?? r['西部 · West']) as number);
    expect(rates.map((r) => r.toFixed(6))).toEqual(expected.map((r) => (r ?? 0).toFixed(6)));
  });

  it('west participation is below east (the simulator draws 0.45×), as the ratio shows', async () => {
    const rows = await run(panel('balance', '西部/东部参与率之比'));
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const row of rows) {
      const ratio = row['西/东 · West/east'] as number;
      expect(ratio).toBeGreaterThan(0);
      expect(ratio).toBeLessThan(1);
    }
  });

  it('Gini lies in (0, 1) and both Theil parts are non-negative', async () => {
    for (const row of await run(panel('balance', '街镇间基尼系数'))) {
      expect(row['基尼 · Gini']).toBeGreaterThan(0);
      expect(row['基尼 · Gini']).toBeLessThan(1);
    }
    const theil = await run(panel('balance', '泰尔指数'));
    for (const row of theil) {
      expect(row['区域间 · Between regions']).toBeGreaterThan(0);
      expect(row['区域内 · Within regions']).toBeGreaterThanOrEqual(0);
    }
  });

  it('active plus silent learning points make the 176', async () => {
    const [active] = await run(panel('balance', '近30天活跃学习点'));
    const silent = await run(panel('balance', '近30天无活动的学习点'));
    expect(active['总数 · Total']).toBe(176);
    expect(silent.length).toBeGreaterThan(0);
    expect((active['活跃 · Active'] as number) + silent.length).toBe(176);
  });
});

/** learner_reach's groupings as learner_daily expressions (k1, k2), what distinctLearners' slow path reads. */
const REACH_GROUPINGS: Record<string, { k1: string; k2: string; counted: string }> = {
  all: { k1: "''", k2: "''", counted: 'learner' },
  town: { k1: 'town', k2: "''", counted: 'learner' },
  region: { k1: 'region', k2: "''", counted: 'learner' },
  point: { k1: 'town', k2: "''", counted: 'learning_point_id' },
  home_town: { k1: 'home_town', k2: "''", counted: 'learner' },
  home_region: {
    k1: `multiIf(home_town IN (SELECT town_id FROM dim_towns WHERE region = 'west'), 'west',
      home_town IN (SELECT town_id FROM dim_towns WHERE region = 'east'), 'east', '')`,
    k2: "''",
    counted: 'learner',
  },
  age_band: { k1: 'age_band', k2: "''", counted: 'learner' },
  age_gender: {
    k1: 'age_band',
    k2: "multiIf(gender = 'female', 'female', gender = 'male', 'male', 'other')",
    counted: 'learner',
  },
};

/** Per grouping, key and (weekly) week: distinct learners from learner_reach and from learner_daily. */
async function reachAgainstLearnerDaily(from: string, to: string, weekly: boolean) {
  const out: { reach: unknown; daily: unknown }[] = [];
  for (const [grouping, g] of Object.entries(REACH_GROUPINGS)) {
    const week = weekly ? 'toMonday(day) AS week, ' : '';
    const firstDay = weekly ? `greatest(toDate('${from}'), toMonday(day))` : `toDate('${from}')`;
    const reach = await wh.query(
      `SELECT ${week}toString(k1) AS a, ${grouping === 'point' ? "''" : 'toString(k2)'} AS b,
         toUInt64(sum(learners)) AS n
       FROM learner_reach
       WHERE grouping = '${grouping}' AND day BETWEEN '${from}' AND '${to}' AND prev < ${firstDay}
       GROUP BY ${week}a, b ORDER BY ${week}a, b`,
    );
    const daily = await wh.query(
      `SELECT ${week}toString(${g.k1}) AS a, toString(${g.k2}) AS b, toUInt64(uniqExact(${g.counted})) AS n
       FROM learner_daily WHERE day BETWEEN '${from}' AND '${to}'
       GROUP BY ${week}a, b ORDER BY ${week}a, b`,
    );
    out.push({ reach: { grouping, rows: reach }, daily: { grouping, rows: daily } });
  }
  return out;
}

/** Days before today that learner_reach keeps in its live part, so late statements for them count at once. */
const SETTLING_DAYS = 7;

const addDays = (day: string, n: number) =>
  new Date(Date.parse(day) + n * 86_400_000).toISOString().slice(0, 10);

describe('learner_reach (0014) counts distinct learners as learner_daily does', () => {
  it('holds history up to the settling window (the last 8 days) and a live snapshot for the window', async () => {
    const [row] = await wh.query<{ last: string; live: string; historyRows: string }>(
      `SELECT toString((SELECT max(day) FROM learner_reach_history)) AS last,
         toString((SELECT max(day) FROM learner_reach_live)) AS live,
         toString((SELECT count() FROM learner_reach_history)) AS historyRows`,
    );
    const today = localDay(new Date());
    expect(row.last).toBe(addDays(today, -1 - SETTLING_DAYS));
    expect(row.live).toBe(today);
    expect(Number(row.historyRows)).toBeGreaterThan(0);
  });

  it.each([0, 1, 6, 13, 29, 45])(
    'every grouping and key over the %i days before today and today, in total and per week',
    async (days) => {
      const to = localDay(new Date());
      for (const weekly of [false, true]) {
        for (const { reach, daily } of await reachAgainstLearnerDaily(addDays(to, -days), to, weekly))
          expect(reach).toEqual(daily);
      }
    },
  );

  it('ranges ending before the settling window read the history alone', async () => {
    const to = addDays(localDay(new Date()), -SETTLING_DAYS - 2);
    for (const { reach, daily } of await reachAgainstLearnerDaily(addDays(to, -10), to, true))
      expect(reach).toEqual(daily);
  });

  it('every panel reading learner_reach answers as it does from learner_daily alone', async () => {
    const reachPanels = allQueries.filter(([, , q]) => q.rawSql.includes('learner_reach'));
    expect(reachPanels.length).toBeGreaterThanOrEqual(10);
    for (const [label, name, q] of reachPanels) {
      // Every variable All, but the learner_reach branch switched off: the uniqExact branch answers.
      const dailyOnly = q.rawSql.replace(/\$__conditionalAll\(0, \$\w+\)/g, '0');
      expect(dailyOnly).not.toBe(q.rawSql);
      const fast = await wh.query(expand(q, name));
      expect(fast.length).toBeGreaterThan(0);
      expect({ label, rows: fast }).toEqual({ label, rows: await wh.query(expand(dailyOnly, name)) });
    }
  });

  it('appends the days after its last one, with prev from learner_last_seen (the path after midnight)', async () => {
    const today = localDay(new Date());
    const cut = addDays(today, -6 - SETTLING_DAYS);
    // The state the history and learner_last_seen had when `cut` was yesterday: the view's own SELECT with
    // that "today", and the last active days up to it.
    const [{ as_select }] = await wh.query<{ as_select: string }>(
      "SELECT as_select FROM system.tables WHERE database = currentDatabase() AND name = 'learner_reach_history_mv'",
    );
    const asOfCut = as_select.replaceAll(
      "toDate(now(), 'Asia/Shanghai') - 7",
      `toDate('${addDays(cut, 1)}')`,
    );
    expect(asOfCut).not.toBe(as_select);
    await wh.command('TRUNCATE TABLE learner_reach_history');
    await wh.command('TRUNCATE TABLE learner_last_seen');
    await wh.command(`INSERT INTO learner_reach_history ${asOfCut}`);
    await wh.command(
      `INSERT INTO learner_last_seen SELECT grouping, k1, k2, who, max(day) FROM learner_reach_source
       WHERE day <= '${cut}' GROUP BY grouping, k1, k2, who`,
    );
    const lastDay = async () =>
      (await wh.query<{ d: string }>('SELECT toString(max(day)) AS d FROM learner_reach_history'))[0].d;
    expect(await lastDay()).toBe(cut);
    const ranges = [
      [addDays(cut, -10), today],
      [addDays(cut, 1), today],
      [addDays(cut, -3), addDays(cut, 3)],
    ];

    // Before the history catches up, the live snapshot covers every day after its cut.
    await wh.command('SYSTEM REFRESH VIEW learner_reach_live_mv');
    await wh.command('SYSTEM WAIT VIEW learner_reach_live_mv');
    for (const [from, to] of ranges) {
      for (const { reach, daily } of await reachAgainstLearnerDaily(from, to, true))
        expect(reach).toEqual(daily);
    }

    await refreshViewsNow(wh);
    expect(await lastDay()).toBe(addDays(today, -1 - SETTLING_DAYS));
    for (const [from, to] of ranges) {
      for (const { reach, daily } of await reachAgainstLearnerDaily(from, to, true))
        expect(reach).toEqual(daily);
    }
  });

  it('counts statements that arrive late for a day of the settling window within the next refresh', async () => {
    const today = localDay(new Date());
    const lateDay = addDays(today, -SETTLING_DAYS + 2);
    // Statements timed on lateDay for learners never seen before, written after the history and the live
    // snapshot were built (an attendance sheet uploaded days after the class).
    await wh.command(
      `INSERT INTO statements SELECT * REPLACE (
         generateUUIDv4() AS id,
         concat('late-', toString(rowNumberInAllBlocks())) AS learner_id,
         toDateTime64(concat('${lateDay}', ' 10:00:00'), 6, 'Asia/Shanghai') AS timestamp)
       FROM statements
       WHERE learner_id != '' AND voiding_target IS NULL AND verb_id != 'http://adlnet.gov/expapi/verbs/voided'
       LIMIT 25`,
    );
    const before = await reachAgainstLearnerDaily(addDays(today, -SETTLING_DAYS), today, false);
    expect(before.some(({ reach, daily }) => JSON.stringify(reach) !== JSON.stringify(daily))).toBe(true);
    await refreshViewsNow(wh);
    for (const weekly of [false, true]) {
      for (const { reach, daily } of await reachAgainstLearnerDaily(addDays(today, -20), today, weekly))
        expect(reach).toEqual(daily);
    }
  });

  it('stays equal after rebuildAggregates recomputes it from scratch', async () => {
    await rebuildAggregates(wh);
    const to = localDay(new Date());
    for (const { reach, daily } of await reachAgainstLearnerDaily(addDays(to, -29), to, true))
      expect(reach).toEqual(daily);
  });
});

describe('the same questions asked of the raw statements table (bench/dashboards.ts times both)', () => {
  it.each(RAW_QUESTIONS.map((q) => [`${q.dashboard} / ${q.panel}`, q] as const))(
    '%s: the raw table gives the panel its answer',
    async (_label, question) => {
      const aggregate = await run(panel(question.dashboard, question.panel));
      expect(aggregate.length).toBeGreaterThan(0);
      expect(await wh.query(expand(question.rawSql, question.dashboard))).toEqual(aggregate);
    },
  );
});

describe('variables narrow what panels show', () => {
  it('the town variable lists the 19 towns, and only western ones for region = west', async () => {
    const all = await resolveVariableOptions(wh, 'balance', month);
    expect(all.town).toHaveLength(19);
    const westTowns = await wh.query<Record<string, unknown>>(
      expand(buildTownVariableSql(), 'balance', { region: ['west'] }),
    );
    expect(westTowns.length).toBeGreaterThan(0);
    expect(westTowns.length).toBeLessThan(19);
  });

  it('region = west keeps only western towns in the per-1,000 panel', async () => {
    const rows = await run(panel('balance', '每千名居民参与人数'), { region: ['west'] });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r['东部 · East'] === null && typeof r['西部 · West'] === 'number')).toBe(true);
  });

  it('an age-band selection keeps only those bands', async () => {
    const rows = await run(panel('balance', '学习者年龄段与性别'), { age_band: ['60-69', '70-79'] });
    expect(rows.map((r) => r['年龄段 · Age band'])).toEqual(['60–69岁', '70–79岁']);
  });

  it('a source selection changes the skill shares, and every panel still runs', async () => {
    const overrides = { region: ['west'], source: ['classroom'], age_band: ['70-79', '80+'] };
    const all = await run(panel('skill', '各模块学习漏斗'));
    const narrowed = await run(panel('skill', '各模块学习漏斗'), overrides);
    expect(narrowed.map((r) => r['尝试 · Attempted'] as number)).not.toEqual(
      all.map((r) => r['尝试 · Attempted']),
    );
    for (const [, name, q] of allQueries)
      await expect(run(q, name === 'pipeline-health' ? {} : overrides)).resolves.toBeDefined();
  });
});

function buildTownVariableSql(): string {
  const v = (buildDashboardJson('balance').templating.list ?? []).find((x) => x.name === 'town')!;
  return (v.query as { rawSql: string }).rawSql;
}
