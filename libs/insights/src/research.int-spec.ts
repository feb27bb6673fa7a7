import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { referenceIndex } from '@app/enrichment/test-fixtures';
import { RecordingProducer } from '@app/lrs/testing/recording-producer';
import { LearnerRegistry } from '@app/registry';
import { ensurePythonTools } from '@app/testing';
import {
  AGGREGATE_VIEWS,
  ChdbWarehouse,
  DocumentStore,
  loadReferenceDimensions,
  rebuildAggregates,
  runMigrations,
} from '@app/warehouse';
import { statementRowFixture } from '@app/warehouse/testing/statement-row.fixture';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { z } from 'zod';

import { InsightsModule } from './insights.module';
import { parseMetricQuery, runMetric } from './metrics';
import { ResearchCredentialStore, RESEARCH_SCOPES } from './research-credentials';
import { ResearchService } from './research.service';

const reference = referenceIndex();
const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };
const basic = (key: string) => `Basic ${Buffer.from(`${key}:${key}-secret`).toString('base64')}`;
const FREE_TEXT = 'my private answer: I live at 12 Example Road';

interface Learner {
  id: string;
  town: string;
  region: string;
  gender: string;
  days: number[];
}

/** Three towns in March 2024: T01 with 30 learners, T02 with 12, T03 with 3 (all on 31 March only). */
function district(): Learner[] {
  const learners: Learner[] = [];
  let n = 0;
  const add = (
    count: number,
    town: string,
    region: string,
    gender: (i: number) => string,
    days: number[],
  ) => {
    for (let i = 0; i < count; i += 1)
      learners.push({ id: `L${String(++n).padStart(6, '0')}`, town, region, gender: gender(i), days });
  };
  add(30, 'T01', 'west', (i) => (i < 20 ? 'female' : 'male'), [1, 2, 3, 9, 10]);
  add(12, 'T02', 'east', () => 'female', [5, 6, 20]);
  add(3, 'T03', 'east', () => 'male', [31]);
  return learners;
}

function rowsOf(learners: Learner[], storedDelaySeconds = 1) {
  return learners.flatMap((learner) =>
    learner.days.map((day) => {
      // 10:00 local (UTC+8) on that day of March 2024.
      const timestamp = `2024-03-${String(day).padStart(2, '0')} 02:00:00.000000`;
      const stored = new Date(Date.parse(`${timestamp.replace(' ', 'T')}Z`) + storedDelaySeconds * 1000)
        .toISOString()
        .replace('T', ' ')
        .replace('Z', '000');
      return statementRowFixture({
        actor_key: `mbox:mailto:${learner.id.toLowerCase()}@example.cn`,
        learner_id: learner.id,
        timestamp,
        stored,
        row_version: stored,
        town: learner.town,
        region: learner.region,
        home_town: learner.town,
        learning_point_id: learner.town === 'T01' ? 'LP001' : 'LP009',
        gender: learner.gender,
        age_band: '60-69',
        source: 'portal',
        skill: 'chinese-input',
        verb_category: 'completed',
        raw: JSON.stringify({ result: { response: FREE_TEXT } }),
      });
    }),
  );
}

const MetricSchema = z.object({
  cells: z.array(
    z.object({
      period: z.string(),
      dimensions: z.record(z.string(), z.string()),
      suppressed: z.boolean(),
      values: z.record(z.string(), z.number().nullable()),
    }),
  ),
  totals: z.array(
    z.object({
      period: z.string(),
      suppressed: z.boolean(),
      values: z.record(z.string(), z.number().nullable()),
    }),
  ),
  effective: z.object({ from: z.string(), to: z.string() }),
  suppressedCells: z.number(),
  closedThrough: z.string().nullable(),
  openPeriods: z.array(z.string()),
});

describe('research API on the embedded engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'insights-'));
  let warehouse: ChdbWarehouse;
  let app: NestFastifyApplication;
  let registry: LearnerRegistry;
  // Local 5 April: with two days' grace, March is closed (its end lies 4 days before), April is open.
  let cutThrough: string | null = '2024-04-04T16:00:00.000000Z';
  const learners = district();

  const get = async (url: string, who = 'alice') => {
    const response = await app.inject({ method: 'GET', url, headers: { authorization: basic(who) } });
    return {
      status: response.statusCode,
      body: response.body,
      raw: response.rawPayload,
      headers: response.headers,
    };
  };
  const post = async (url: string, payload: unknown, who = 'alice') => {
    const response = await app.inject({
      method: 'POST',
      url,
      payload: payload as object,
      headers: { authorization: basic(who) },
    });
    return { status: response.statusCode, json: response.json() as Record<string, unknown> };
  };
  const metric = async (path: string) => {
    const response = await get(path);
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    return MetricSchema.parse(JSON.parse(response.body));
  };

  beforeAll(async () => {
    warehouse = new ChdbWarehouse(join(dir, 'clickhouse'));
    await runMigrations(warehouse);
    await loadReferenceDimensions(warehouse, reference.data);
    await warehouse.insertJsonEachRow('statements', rowsOf(learners));
    registry = new LearnerRegistry({ warehouse, producer: new RecordingProducer(), reference });
    await registry.put('L000001', {
      identities: ['mbox:mailto:l000001@example.cn'],
      birthYear: 1958,
      gender: 'female',
      homeTownId: 'T01',
      homeLearningPointId: 'LP001',
    });
    const credentials = new ResearchCredentialStore();
    await credentials.addWithSecret(
      { key: 'alice', scopes: ['research/metrics', 'research/studies', 'research/extracts'] },
      'alice-secret',
      FAST_SCRYPT,
    );
    await credentials.addWithSecret(
      { key: 'auditor', scopes: ['research/audit'] },
      'auditor-secret',
      FAST_SCRYPT,
    );
    await credentials.addWithSecret({ key: 'dpo', scopes: [...RESEARCH_SCOPES] }, 'dpo-secret', FAST_SCRYPT);
    const research = new ResearchService({
      warehouse,
      registry,
      consistentThrough: async () => cutThrough,
      minCellLearners: 10,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [InsightsModule.forRoot({ research, credentials })],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
    await warehouse?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('small-cell protection', () => {
    it('suppresses the small town and a partner, and the total reveals only their sum', async () => {
      const result = await metric(
        '/research/v1/metrics/engagement?from=2024-03-01&to=2024-03-31&groupBy=town',
      );
      const byTown = Object.fromEntries(result.cells.map((c) => [c.dimensions.town, c]));
      expect(byTown.T01).toMatchObject({ suppressed: false, values: { learners: 30, statements: 150 } });
      expect(byTown.T03).toMatchObject({ suppressed: true, values: { learners: null, statements: null } });
      // T03 alone in its line would be total − the rest: its smallest neighbour goes too.
      expect(byTown.T02).toMatchObject({ suppressed: true, values: { learners: null } });
      const [total] = result.totals;
      expect(total).toMatchObject({ suppressed: false, values: { learners: 45, statements: 189 } });
      const publishedStatements = result.cells.reduce((s, c) => s + (c.values.statements ?? 0), 0);
      // What a differencer gets is T02 + T03 (36 + 3), never T03's 3 statements alone.
      expect(total.values.statements! - publishedStatements).toBe(39);
    });

    it('town × gender cannot rebuild a suppressed town: lines through suppressed cells are closed', async () => {
      const result = await metric(
        '/research/v1/metrics/engagement?from=2024-03-01&to=2024-03-31&groupBy=town,gender',
      );
      // T02/female inherits T02's suppression; then the female line (T01, T02) and the male line (T01, T03)
      // each hold one suppressed cell, so T01's cells go too: female − T01/female would be T02.
      expect(result.cells.filter((c) => !c.suppressed)).toEqual([]);
      const byGender = await metric(
        '/research/v1/metrics/engagement?from=2024-03-01&to=2024-03-31&groupBy=gender',
      );
      const byTown = await metric(
        '/research/v1/metrics/engagement?from=2024-03-01&to=2024-03-31&groupBy=town',
      );
      // Every published number of the three responses, and every difference of two of them: none is T03's 3.
      const numbers = [
        ...byGender.cells,
        ...byGender.totals,
        ...byTown.cells,
        ...byTown.totals,
        ...result.cells,
      ]
        .map((c) => c.values.statements)
        .filter((v): v is number => v !== null);
      const sums = numbers.flatMap((a) => numbers.map((b) => a - b));
      expect(sums).not.toContain(3);
      expect(numbers).not.toContain(3);
    });

    it('computes the right cells for every subset of dimensions (k = 1: nothing suppressed)', async () => {
      const query = (q: Record<string, string>) =>
        runMetric(
          warehouse,
          'engagement',
          parseMetricQuery({ from: '2024-03-01', to: '2024-03-31', ...q }),
          1,
          '2024-03-31',
        );
      const both = await query({ groupBy: 'town,gender' });
      expect(
        Object.fromEntries(
          both.cells.map((c) => [`${c.dimensions.town}/${c.dimensions.gender}`, c.values.learners]),
        ),
      ).toEqual({ 'T01/female': 20, 'T01/male': 10, 'T02/female': 12, 'T03/male': 3 });
      const t01 = await query({ groupBy: 'gender', town: 'T01' });
      expect(t01.cells.map((c) => [c.dimensions.gender, c.values.learners])).toEqual([
        ['female', 20],
        ['male', 10],
      ]);
      expect(t01.totals.map((c) => c.values.learners)).toEqual([30]);
      const male = await query({ gender: 'male', groupBy: 'region' });
      expect(male.cells.map((c) => [c.dimensions.region, c.values.statements])).toEqual([
        ['east', 3],
        ['west', 50],
      ]);
    });

    it('a range one day longer (differencing over time) asks for the same whole months', async () => {
      const a = await metric('/research/v1/metrics/engagement?from=2024-03-01&to=2024-03-30&groupBy=town');
      const b = await metric('/research/v1/metrics/engagement?from=2024-03-01&to=2024-03-31&groupBy=town');
      expect(a.effective).toEqual({ from: '2024-03-01', to: '2024-03-31' });
      expect(a.cells).toEqual(b.cells);
      expect(a.totals).toEqual(b.totals);
    });

    it('by day, the extra day brings only its own cell, protected by itself; shared days are identical', async () => {
      const a = await metric('/research/v1/metrics/engagement?from=2024-03-01&to=2024-03-30&period=day');
      const b = await metric('/research/v1/metrics/engagement?from=2024-03-01&to=2024-03-31&period=day');
      expect(b.cells.filter((c) => c.period <= '2024-03-30')).toEqual(a.cells);
      const extra = b.cells.filter((c) => c.period === '2024-03-31');
      expect(extra).toHaveLength(1);
      expect(extra[0].suppressed).toBe(true);
      // No total across days is published, so nothing adds the extra day back in.
      expect(b.totals.map((t) => t.period)).toEqual(b.cells.map((c) => c.period));
    });

    it('withholds periods not closed yet, so their numbers cannot be watched growing day by day', async () => {
      const result = await metric(
        '/research/v1/metrics/engagement?from=2024-03-01&to=2024-04-30&period=month',
      );
      expect(result.closedThrough).toBe('2024-04-02');
      expect(result.totals.map((t) => t.period)).toEqual(['2024-03-01']);
      expect(result.openPeriods).toEqual(['2024-04-01']);
      const days = await metric('/research/v1/metrics/engagement?from=2024-03-30&to=2024-04-05&period=day');
      expect(days.openPeriods).toEqual(['2024-04-03', '2024-04-04', '2024-04-05']);
    });

    it('a town filter takes one value: two sets differing by one town are refused', async () => {
      const response = await get(
        '/research/v1/metrics/engagement?from=2024-03-01&to=2024-03-31&town=T01,T03',
      );
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body).issues[0]).toMatchObject({
        field: 'town',
        message: expect.stringMatching(/one value/),
      });
      const filtered = await metric('/research/v1/metrics/engagement?from=2024-03-01&to=2024-03-31&town=T03');
      expect(filtered.totals[0]).toMatchObject({ suppressed: true, values: { statements: null } });
    });

    it('skill progress: attempted, completed, passed, with the same protection', async () => {
      const result = await metric('/research/v1/metrics/skills?from=2024-03-01&to=2024-03-31&groupBy=region');
      const west = result.cells.find((c) => c.dimensions.region === 'west');
      expect(west?.values).toMatchObject({ learners: 30, completed: 30 });
      const east = result.cells.find((c) => c.dimensions.region === 'east');
      expect(east).toMatchObject({ suppressed: false, values: { learners: 15 } });
    });

    it('balance indices are withheld for a period with a suppressed town', async () => {
      const response = await get('/research/v1/metrics/balance?from=2024-03-01&to=2024-03-31');
      expect(response.status).toBe(200);
      const [march] = JSON.parse(response.body).periods;
      expect(march).toMatchObject({ period: '2024-03-01', suppressed: true, gini: null });
    });
  });

  describe('bad requests say what is wrong', () => {
    it.each([
      [
        'unknown group-by',
        '/research/v1/metrics/engagement?from=2024-03-01&to=2024-03-31&groupBy=shoe_size',
        /unknown dimension "shoe_size"/,
      ],
      ['reversed range', '/research/v1/metrics/engagement?from=2024-03-31&to=2024-03-01', /is before from/],
      [
        'bad period',
        '/research/v1/metrics/skills?from=2024-03-01&to=2024-03-31&period=year',
        /day|week|month/,
      ],
    ])('%s → 400', async (_name, url, message) => {
      const response = await get(url);
      expect(response.status).toBe(400);
      const issues = JSON.parse(response.body).issues as { message: string }[];
      expect(issues.map((i) => i.message).join('\n')).toMatch(message);
    });

    it('researcher credentials are not partner credentials; scopes are enforced', async () => {
      expect((await app.inject({ method: 'GET', url: '/research/v1/studies' })).statusCode).toBe(401);
      expect((await get('/research/v1/audit', 'alice')).status).toBe(403);
    });
  });

  describe('studies and extracts', () => {
    const study = (fields: string[]) => ({
      title: 'Older learners online',
      purpose: 'How learners over 60 take up online courses',
      approvedFields: fields,
      window: { from: '2024-03-01', to: '2024-03-31' },
    });

    it('refuses a field the study was not approved for', async () => {
      const created = await post('/research/v1/studies', study(['day', 'town']));
      expect(created.status).toBe(201);
      const refused = await post(`/research/v1/studies/${created.json.studyId}/extracts`, {
        format: 'csv',
        fields: ['day', 'gender'],
      });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.json.issues)).toMatch(/field gender is not approved for study S-/);
      const outside = await post(`/research/v1/studies/${created.json.studyId}/extracts`, {
        format: 'csv',
        to: '2024-04-02',
      });
      expect(outside.status).toBe(400);
      expect(JSON.stringify(outside.json.issues)).toMatch(/outside the study window/);
    });

    it('cuts reproducible extracts (same bytes after more data arrives) with per-study pseudonyms, read by pandas', async () => {
      const fields = [
        'day',
        'verb',
        'town',
        'age_band',
        'gender',
        'score_scaled',
        'success',
        'duration_seconds',
      ];
      const first = await post('/research/v1/studies', study(fields));
      const second = await post('/research/v1/studies', study(fields));
      const extracts: Record<
        string,
        { extractId: string; sha256: string; rowCount: number; studyId: string }
      > = {};
      for (const [name, s, format] of [
        ['csv1', first, 'csv'],
        ['parquet1', first, 'parquet'],
        ['csv2', second, 'csv'],
      ] as const) {
        const created = await post(`/research/v1/studies/${s.json.studyId}/extracts`, { format });
        expect(created.status).toBe(201);
        extracts[name] = created.json as (typeof extracts)[string];
      }
      expect(extracts.csv1.rowCount).toBe(189);

      const download = async (e: { studyId: string; extractId: string }) =>
        get(`/research/v1/studies/${e.studyId}/extracts/${e.extractId}/data`);
      const csv1 = await download(extracts.csv1);
      const parquet1 = await download(extracts.parquet1);
      expect(csv1.headers['x-extract-sha256']).toBe(extracts.csv1.sha256);

      // Late statements for March (stored after the cut) and a later voiding must not change anything.
      const firstCut = cutThrough;
      cutThrough = '2024-05-01T00:00:00.000000Z';
      await warehouse.insertJsonEachRow('statements', rowsOf(learners.slice(0, 5), 35 * 86_400));
      // A T02 statement voided after the cut: the voiding and the rewritten target (voided = true).
      const [target] = await warehouse.query(
        "SELECT toString(id) AS id FROM statements WHERE learner_id = 'L000031' ORDER BY timestamp LIMIT 1",
        undefined,
        z.object({ id: z.string() }),
      );
      const [original] = rowsOf([learners[30]]);
      await warehouse.insertJsonEachRow('statements', [
        { ...original, id: target.id, voided: true, row_version: '2024-04-20 00:00:00.000000' },
        statementRowFixture({
          verb_id: 'http://adlnet.gov/expapi/verbs/voided',
          voiding_target: target.id,
          timestamp: '2024-04-20 00:00:00.000000',
          stored: '2024-04-20 00:00:00.000000',
        }),
      ]);
      expect((await download(extracts.csv1)).raw.equals(csv1.raw)).toBe(true);
      expect((await download(extracts.parquet1)).raw.equals(parquet1.raw)).toBe(true);
      expect((await download(extracts.parquet1)).headers['x-extract-reproduced']).toBe('true');
      expect((await download(extracts.parquet1)).headers['x-extract-cut-through']).toBe(firstCut);

      const text = csv1.raw.toString('utf8');
      const [header, ...lines] = text.trimEnd().split('\n');
      expect(header).toBe(['pseudonym', ...fields].map((f) => `"${f}"`).join(','));
      expect(lines).toHaveLength(189);
      expect(text).not.toContain(FREE_TEXT);
      expect(text).not.toMatch(/L0000\d\d|mailto|example\.cn/);

      // Pseudonyms: HMAC-SHA256 of the learner key with the study's secret; two studies share none.
      const pseudonyms = (csv: string) =>
        new Set(
          csv
            .trimEnd()
            .split('\n')
            .slice(1)
            .map((l) => l.split(',')[0].replace(/"/g, '')),
        );
      const p1 = pseudonyms(text);
      const p2 = pseudonyms((await download(extracts.csv2)).raw.toString('utf8'));
      expect(p1.size).toBe(45);
      expect(p2.size).toBe(45);
      expect([...p1].filter((p) => p2.has(p))).toEqual([]);
      const [secret] = await warehouse.query(
        'SELECT pseudonym_secret AS s FROM research_studies WHERE study_id = {id:String}',
        { id: extracts.csv1.studyId },
        z.object({ s: z.string() }),
      );
      expect(p1.has(createHmac('sha256', Buffer.from(secret.s, 'hex')).update('L000001').digest('hex'))).toBe(
        true,
      );

      // A researcher's real tool: pandas with pyarrow reads the Parquet file.
      const file = join(dir, 'extract.parquet');
      writeFileSync(file, parquet1.raw);
      const { python } = ensurePythonTools();
      const script = [
        'import json, sys, pandas as pd',
        'df = pd.read_parquet(sys.argv[1], engine="pyarrow")',
        'print(json.dumps({"rows": len(df), "columns": list(df.columns), "dtypes": {c: str(t) for c, t in df.dtypes.items()}, "pseudonyms": int(df["pseudonym"].nunique()), "firstDay": {"type": type(df["day"].min()).__name__, "value": str(df["day"].min())}}))',
      ].join('\n');
      const out = JSON.parse(execFileSync(python, ['-c', script, file], { encoding: 'utf8' })) as {
        rows: number;
        columns: string[];
        dtypes: Record<string, string>;
        pseudonyms: number;
        firstDay: { type: string; value: string };
      };
      expect(out.rows).toBe(189);
      expect(out.columns).toEqual(['pseudonym', ...fields]);
      expect(out.pseudonyms).toBe(45);
      // pandas 3 (pinned in test/python/requirements.txt): strings are `str`, Parquet date32 gives datetime.date.
      expect(out.dtypes).toEqual({
        pseudonym: 'str',
        day: 'object',
        verb: 'str',
        town: 'str',
        age_band: 'str',
        gender: 'str',
        score_scaled: 'float64',
        success: 'bool',
        duration_seconds: 'float64',
      });
      expect(out.firstDay).toEqual({ type: 'date', value: '2024-03-01' });
    });
  });

  describe('audit log', () => {
    it('records every metric query and extract (who, what, rows), readable by the auditor only', async () => {
      const response = await get('/research/v1/audit?limit=1000', 'auditor');
      expect(response.status).toBe(200);
      const records = JSON.parse(response.body) as {
        principal: string;
        action: string;
        outcome: string;
        rowCount: number;
        parameters: unknown;
      }[];
      const actions = (action: string, outcome = 'ok') =>
        records.filter((r) => r.action === action && r.outcome === outcome);
      expect(actions('metrics.engagement').length).toBeGreaterThanOrEqual(8);
      expect(actions('metrics.engagement', 'ResearchRequestError').length).toBeGreaterThanOrEqual(3);
      expect(actions('extract.create')).toHaveLength(3);
      expect(actions('extract.download').length).toBeGreaterThanOrEqual(5);
      expect(actions('extract.create', 'ResearchRequestError')).toHaveLength(2);
      expect(records.every((r) => r.principal === 'alice')).toBe(true);
      expect(actions('extract.create').map((r) => r.rowCount)).toEqual([189, 189, 189]);
      expect(actions('metrics.engagement')[0].parameters).toMatchObject({ from: expect.any(String) });

      // A call of our own, found with its parameters and row count, written before the answer came back.
      const answer = await metric(
        '/research/v1/metrics/engagement?from=2024-03-02&to=2024-03-03&groupBy=source',
      );
      const [latest] = JSON.parse(
        (await get('/research/v1/audit?limit=1&action=metrics.engagement', 'auditor')).body,
      );
      expect(latest).toMatchObject({
        principal: 'alice',
        action: 'metrics.engagement',
        target: 'engagement',
        outcome: 'ok',
        parameters: { from: '2024-03-02', to: '2024-03-03', groupBy: 'source' },
        rowCount: answer.cells.length + answer.totals.length,
        suppressedCells: answer.suppressedCells,
      });
    });
  });

  describe('PIPL erasure', () => {
    const UniqSchema = z.object({ learners: z.coerce.number(), statements: z.coerce.number() });

    it('removes the learner’s statements, registry entry and contributions to every aggregate', async () => {
      const before = await metric(
        '/research/v1/metrics/engagement?from=2024-03-01&to=2024-03-31&groupBy=town',
      );
      expect(before.cells.find((c) => c.dimensions.town === 'T01')?.values.learners).toBe(30);
      // xAPI documents: two of the learner's identity, one of someone else.
      const documents = new DocumentStore(warehouse);
      const state = {
        resource: 'state' as const,
        activityId: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics',
        registration: '',
        documentId: 'bookmark',
      };
      const mine = { ...state, agentKey: 'mbox:mailto:l000001@example.cn' };
      const theirs = { ...state, agentKey: 'mbox:mailto:someone-else@example.cn' };
      await documents.put(mine, Buffer.from('{"page":3}'), 'application/json');
      await documents.put(
        { ...mine, resource: 'agent_profile', activityId: '' },
        Buffer.from('{}'),
        'application/json',
      );
      await documents.put(theirs, Buffer.from('{"page":9}'), 'application/json');
      const response = await app.inject({
        method: 'DELETE',
        url: '/research/v1/learners/L000001',
        headers: { authorization: basic('dpo') },
      });
      expect(response.statusCode).toBe(200);
      const report = response.json() as {
        statements: number;
        registryEntry: boolean;
        aggregates: Record<string, { deletedByLearner: boolean; recountedPartitions: string[] }>;
      };
      expect(report).toMatchObject({
        learnerId: 'L000001',
        statements: 10,
        registryEntry: true,
        documents: 2,
      });
      expect(await documents.get(mine)).toBeUndefined();
      expect((await documents.get(theirs))?.content.toString()).toBe('{"page":9}');
      // Every aggregate table is handled: learner-keyed ones by deleting rows, the others by a recount.
      expect(Object.keys(report.aggregates).sort()).toEqual(AGGREGATE_VIEWS.map((v) => v.table).sort());
      expect(report.aggregates.engagement_daily).toEqual({
        deletedByLearner: false,
        recountedPartitions: ['202403'],
      });
      expect(report.aggregates.skill_progress.deletedByLearner).toBe(true);
      expect(report.aggregates.learner_channels.deletedByLearner).toBe(true);

      expect(await registry.get('L000001')).toBeUndefined();
      const [left] = await warehouse.query(
        "SELECT toUInt32(count()) AS statements, toUInt32(0) AS learners FROM statements WHERE learner_id = 'L000001'",
        undefined,
        UniqSchema,
      );
      expect(left.statements).toBe(0);
      const [daily] = await warehouse.query(
        "SELECT toUInt32(uniqExactMerge(learners)) AS learners, toUInt32(sum(statement_count)) AS statements FROM engagement_daily WHERE town = 'T01'",
        undefined,
        UniqSchema,
      );
      // 29 learners left in T01; 150 + 25 late statements − the learner's 5 + 5.
      expect(daily).toEqual({ learners: 29, statements: 165 });
      const [skill] = await warehouse.query(
        "SELECT toUInt32(count()) AS learners, toUInt32(0) AS statements FROM skill_progress WHERE learner_key = 'L000001'",
        undefined,
        UniqSchema,
      );
      expect(skill.learners).toBe(0);
      const after = await metric(
        '/research/v1/metrics/engagement?from=2024-03-01&to=2024-03-31&groupBy=town',
      );
      expect(after.cells.find((c) => c.dimensions.town === 'T01')?.values.learners).toBe(29);
      // An extract re-cut after the erasure no longer holds the learner, and says it is not the original.
      const [extract] = await warehouse.query(
        "SELECT study_id, extract_id FROM research_extracts WHERE format = 'csv' ORDER BY created_at LIMIT 1",
        undefined,
        z.object({ study_id: z.string(), extract_id: z.string() }),
      );
      const recut = await get(`/research/v1/studies/${extract.study_id}/extracts/${extract.extract_id}/data`);
      expect(recut.headers['x-extract-reproduced']).toBe('false');
      expect(recut.raw.toString('utf8').trimEnd().split('\n')).toHaveLength(1 + 189 - 5);
      // What the erasure left equals a rebuild of every aggregate from the remaining statements.
      const tables = new Set<string>(AGGREGATE_VIEWS.map((v) => v.table));
      const snapshot = async () => {
        const SnapshotSchema = z.object({ key: z.string(), value: z.string() });
        const queries = [
          "SELECT concat('engagement ', toString(day), ' ', town) AS key, concat(toString(uniqExactMerge(learners)), '/', toString(sum(statement_count))) AS value FROM engagement_daily GROUP BY day, town",
          "SELECT 'skill learners' AS key, toString(uniqExact(learner_key)) AS value FROM skill_progress",
          "SELECT 'channel learners' AS key, toString(uniqExact(learner_key)) AS value FROM learner_channels",
          ...(tables.has('learner_daily')
            ? ["SELECT 'daily learners' AS key, toString(uniqExact(learner)) AS value FROM learner_daily"]
            : []),
          ...(tables.has('statements_stored')
            ? [
                "SELECT concat('stored ', source) AS key, toString(sum(statement_count)) AS value FROM statements_stored GROUP BY source",
              ]
            : []),
          // Refreshable views (0014): learners ever seen per learner_reach key, classroom starters.
          "SELECT concat('reach ', grouping, ' ', k1, ' ', k2) AS key, toString(sum(learners)) AS value FROM learner_reach WHERE prev < '2000-01-01' GROUP BY grouping, k1, k2",
          "SELECT 'classroom starts' AS key, toString(count()) AS value FROM classroom_starts WHERE snapshot_at = (SELECT max(snapshot_at) FROM classroom_starts)",
        ];
        const rows = (
          await Promise.all(queries.map((q) => warehouse.query(q, undefined, SnapshotSchema)))
        ).flat();
        return Object.fromEntries(rows.map((r) => [r.key, r.value]));
      };
      const afterErasure = await snapshot();
      await rebuildAggregates(warehouse);
      expect(afterErasure).toEqual(await snapshot());
      expect(afterErasure['skill learners']).toBe('44');
      expect(afterErasure['reach all  ']).toBe(afterErasure['daily learners']);

      const again = await app.inject({
        method: 'DELETE',
        url: '/research/v1/learners/L000001',
        headers: { authorization: basic('dpo') },
      });
      expect(again.statusCode).toBe(404);
    });
  });
});
