import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipelineMetrics } from '@app/observability';
import { ChdbWarehouse, readWatermarks, runMigrations } from '@app/warehouse';
import { createSinkStep } from './sink.step';
import { enrichedMessageFixture } from './testing/enriched-message.fixture';
import { topics } from '@app/contracts';
import { pollUntil } from '@app/testing';

describe('sink step on the embedded ClickHouse engine', () => {
  let dir: string;
  let warehouse: ChdbWarehouse;
  const metrics = new PipelineMetrics({ defaultMetrics: false });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sink-step-'));
    warehouse = new ChdbWarehouse(dir);
    await runMigrations(warehouse);
  });
  afterAll(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const countOf = async (sql: string) => Number((await warehouse.query<{ n: string }>(sql))[0].n);

  it('writes each statement once, however often it is delivered, and advances the watermark', async () => {
    const sink = createSinkStep({ warehouse, consumerGroup: 'sink-test', metrics });
    const batch = [0, 1, 2].map((offset) =>
      enrichedMessageFixture({ offset, stored: `2026-03-01T08:30:0${offset}.000001Z` }),
    );
    const first = await sink(batch);
    expect(first).toEqual({ outcomes: batch.map(() => ({ type: 'ok' })) });

    // Redelivery after a crash between insert and commit, plus a duplicate inside one batch.
    await sink([...batch, batch[1]]);
    expect(await countOf('SELECT count() AS n FROM statements')).toBe(3);

    const row = (
      await warehouse.query<Record<string, unknown>>(
        `SELECT toString(timestamp) AS ts, duration_seconds, age_band, town, source, object_type
         FROM statements WHERE id = {id:UUID}`,
        { id: batch[0].value.statement.id as string },
      )
    )[0];
    expect(row).toEqual({
      ts: '2026-03-01 08:30:00.123456',
      duration_seconds: 1800.5,
      age_band: '60-69',
      town: 'T01',
      source: 'classroom',
      object_type: 'Activity',
    });
    expect(await readWatermarks(warehouse, 'sink-test', topics.statementsEnriched.name)).toEqual([
      { partition: 0, storedThrough: '2026-03-01 08:30:02.000001' },
    ]);
    const rendered = (await metrics.render()).body;
    expect(rendered).toContain('warehouse_duplicates_skipped_total{table="statements"} 4');
  });

  it('writes the batches of several partitions that arrive together in one INSERT (group commit)', async () => {
    const local = new PipelineMetrics({ defaultMetrics: false });
    const sink = createSinkStep({ warehouse, consumerGroup: 'group-commit-test', metrics: local });
    const batches = [3, 4, 5].map((partition) =>
      [0, 1].map((offset) =>
        enrichedMessageFixture({ partition, offset, email: `gc-${partition}@example.org` }),
      ),
    );
    const results = await Promise.all(batches.map((batch) => sink(batch)));
    expect(results).toEqual(batches.map((batch) => ({ outcomes: batch.map(() => ({ type: 'ok' })) })));
    const inserts = (await local.insertLatency.get()).values.find((v) => v.metricName?.endsWith('_count'));
    // The first batch alone, then the two that waited for it together.
    expect(inserts?.value).toBe(2);
    const marks = await readWatermarks(warehouse, 'group-commit-test', topics.statementsEnriched.name);
    expect(marks.map((m) => m.partition)).toEqual([3, 4, 5]);
  });

  it('dead-letters a message that cannot become a row and writes the rest', async () => {
    const sink = createSinkStep({ warehouse, consumerGroup: 'sink-test' });
    const good = enrichedMessageFixture({ email: 'good@example.org', offset: 10 });
    const noVerb = enrichedMessageFixture({ email: 'bad@example.org', offset: 11 });
    const { verb: _verb, ...withoutVerb } = noVerb.value.statement;
    const bad = { ...noVerb, value: { ...noVerb.value, statement: withoutVerb } };
    const badDuration = enrichedMessageFixture({ email: 'bad2@example.org', offset: 12 });
    (badDuration.value.statement.result as Record<string, unknown>).duration = 'thirty minutes';

    const result = await sink([good, bad, badDuration]);
    expect(result).toEqual({
      outcomes: [
        { type: 'ok' },
        {
          type: 'dlq',
          reason: expect.stringContaining('statement.verb'),
          errorClass: 'StatementMappingError',
        },
        {
          type: 'dlq',
          reason: expect.stringContaining('statement.result.duration'),
          errorClass: 'StatementMappingError',
        },
      ],
    });
    expect(await countOf(`SELECT count() AS n FROM statements WHERE actor_key LIKE 'mbox:mailto:bad%'`)).toBe(
      0,
    );
    expect(
      await countOf(`SELECT count() AS n FROM statements WHERE actor_key = 'mbox:mailto:good@example.org'`),
    ).toBe(1);
  });

  it('marks a voiding statement with its target', async () => {
    const sink = createSinkStep({ warehouse, consumerGroup: 'sink-test' });
    const target = '0b5c6a1e-1111-4d2b-9c3a-000000000001';
    const voiding = enrichedMessageFixture({ offset: 20 });
    voiding.value.statement.verb = { id: 'http://adlnet.gov/expapi/verbs/voided', display: { en: 'voided' } };
    voiding.value.statement.object = { objectType: 'StatementRef', id: target };
    delete voiding.value.statement.result;
    await sink([voiding]);
    const rows = await warehouse.query<{ t: string }>(
      'SELECT toString(voiding_target) AS t FROM statements WHERE id = {id:UUID}',
      { id: voiding.value.statement.id as string },
    );
    expect(rows).toEqual([{ t: target }]);
  });
});

describe('sink step fence: a sink that lost its group does not write', () => {
  let dir: string;
  let warehouse: ChdbWarehouse;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sink-fence-'));
    warehouse = new ChdbWarehouse(dir);
    await runMigrations(warehouse);
  });
  afterAll(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const countOf = async (ids: string[]) =>
    Number(
      (
        await warehouse.query<{ n: string }>(
          'SELECT count() AS n FROM statements WHERE id IN {ids:Array(UUID)}',
          {
            ids,
          },
        )
      )[0].n,
    );

  it('checks membership after the lookup and before the INSERT; a failed check writes nothing', async () => {
    const sink = createSinkStep({ warehouse, consumerGroup: 'sink-fence' });
    const batch = [0, 1].map((offset) => enrichedMessageFixture({ offset }));
    const ids = batch.map((m) => m.value.statement.id as string);

    const lost = { heartbeat: jest.fn(async () => Promise.reject(new Error('UNKNOWN_MEMBER_ID'))) };
    await expect(sink(batch, lost)).rejects.toMatchObject({
      name: 'MembershipLostError',
      retriable: true,
      message: expect.stringContaining('UNKNOWN_MEMBER_ID'),
    });
    expect(lost.heartbeat).toHaveBeenCalledTimes(1);
    expect(await countOf(ids)).toBe(0);

    const member = { heartbeat: jest.fn(async () => undefined) };
    await sink(batch, member);
    expect(member.heartbeat).toHaveBeenCalledTimes(1);
    expect(await countOf(ids)).toBe(2);

    // Nothing left to insert (all stored): no check needed, and a lost member may acknowledge it.
    await expect(sink(batch, lost)).resolves.toEqual({ outcomes: [{ type: 'ok' }, { type: 'ok' }] });
    expect(lost.heartbeat).toHaveBeenCalledTimes(1);
  });
});

describe('sink step with recountVoided: voided statements leave the aggregates', () => {
  let dir: string;
  let warehouse: ChdbWarehouse;
  const abort = new AbortController();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sink-recount-'));
    warehouse = new ChdbWarehouse(dir);
    await runMigrations(warehouse);
  });
  afterAll(async () => {
    abort.abort();
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const channelsOf = async (email: string) =>
    Number(
      (
        await warehouse.query<{ n: string }>(
          `SELECT sum(statement_count) AS n FROM learner_channels
           WHERE learner_key = concat('actor:', lower(hex(SHA256({key:String}))))`,
          { key: `mbox:mailto:${email}` },
        )
      )[0].n,
    );

  it('queues the targets of the voiding statements it writes and recounts them, also when nothing else arrives', async () => {
    const errors: unknown[] = [];
    const sink = createSinkStep({
      warehouse,
      consumerGroup: 'sink-recount',
      recountVoided: { everyMs: 4000, signal: abort.signal, onError: (error) => errors.push(error) },
    });
    const email = `voided-${Date.now()}@example.org`;
    const target = enrichedMessageFixture({ email, offset: 0 });
    // Not enriched to a registry learner here, so the learner key is the actor's.
    target.value.enrichment.learnerId = null;
    await sink([target]);
    expect(await channelsOf(email)).toBe(1);

    const targetId = target.value.statement.id as string;
    const voiding = enrichedMessageFixture({
      email,
      offset: 1,
      statement: {
        id: randomUUID(),
        actor: { objectType: 'Agent', mbox: `mailto:${email}` },
        verb: { id: 'http://adlnet.gov/expapi/verbs/voided', display: { en: 'voided' } },
        object: { objectType: 'StatementRef', id: targetId },
        timestamp: '2026-03-01T17:00:00.000Z',
        stored: '2026-03-01T17:00:00.000Z',
        authority: {
          objectType: 'Agent',
          account: { homePage: 'https://learn.jlp.cq.cn', name: 'classroom-01' },
        },
        version: '1.0.3',
      },
    });
    voiding.value.enrichment.learnerId = null;
    await sink([voiding]);
    // Within the interval of the last recount: queued, not yet recounted; the timer's empty commit does it.
    expect(await channelsOf(email)).toBe(1);
    const queued = async () =>
      Number((await warehouse.query<{ n: string }>('SELECT count() AS n FROM voided_recount_queue'))[0].n);
    expect(await queued()).toBe(1);
    // The queue is emptied last, after every table was recounted.
    await pollUntil(async () => (await queued()) === 0, {
      timeoutMs: 20_000,
      description: 'the queued voiding recounted',
    });
    expect(await channelsOf(email)).toBe(0);
    expect(errors).toEqual([]);
  });
});
