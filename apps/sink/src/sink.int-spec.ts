import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { KafkaProducer, createKafkaClient, ensureTopics, type BatchHandler } from '@app/bus';
import {
  decodeDlqHeaders,
  encodeMessage,
  topicDeclarations,
  topics,
  type EnrichedStatementValue,
} from '@app/contracts';
import { loadConfig } from '@app/config';
import { enrichedMessageFixture } from '@app/pipeline/testing/enriched-message.fixture';
import { expectEventually, freePort, pollUntil, restartTestBroker, testKafkaBrokers } from '@app/testing';
import { ChdbWarehouse, runMigrations, type QueryParams, type Warehouse } from '@app/warehouse';
import type { z } from 'zod';
import { sinkEnvSchema, type SinkEnv } from './sink.config';
import { startSink, type RunningSink } from './sink.app';

/**
 * The backbone's promises, on the real broker and the real engine: every produced statement ends up in
 * ClickHouse exactly once, through redelivery, a rebalance, a restart, poison messages and a broker restart.
 * The enriched topic is shared with other test files, so every count is restricted to this test's ids.
 */
describe('sink: Kafka → ClickHouse, at least once, counted once', () => {
  let dir: string;
  let warehouse: ChdbWarehouse;
  let kafka: Kafka;
  let producer: KafkaProducer;
  const running: RunningSink[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sink-int-'));
    warehouse = new ChdbWarehouse(dir);
    await runMigrations(warehouse);
    kafka = createKafkaClient({ brokers: testKafkaBrokers(), clientId: 'sink-int-spec' });
    await ensureTopics(kafka, topicDeclarations());
    producer = new KafkaProducer(kafka, { lingerMs: 2 });
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((sink) => sink.close()));
  });

  afterAll(async () => {
    await producer.disconnect();
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function sinkEnv(group: string, extra: Record<string, string> = {}): Promise<SinkEnv> {
    return loadConfig(sinkEnvSchema, {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      SINK_GROUP_ID: group,
      PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      KAFKA_RETRY_INITIAL_DELAY_MS: '100',
      KAFKA_RETRY_MAX_DELAY_MS: '1000',
      ...extra,
    });
  }

  async function start(
    group: string,
    extra: Record<string, string> = {},
    wrapStep?: (step: BatchHandler<EnrichedStatementValue>) => BatchHandler<EnrichedStatementValue>,
  ): Promise<RunningSink> {
    const sink = await startSink({ env: await sinkEnv(group, extra), warehouse, wrapStep });
    running.push(sink);
    return sink;
  }

  /** Produces `count` enriched statements from 25 learners (so they spread over the partitions). */
  async function produceStatements(count: number, tag: string): Promise<string[]> {
    const ids: string[] = [];
    const messages = Array.from({ length: count }, (_, i) => {
      const fixture = enrichedMessageFixture({ email: `${tag}-${i % 25}@example.org` });
      ids.push(fixture.value.statement.id as string);
      return encodeMessage(topics.statementsEnriched, { key: fixture.key as string, value: fixture.value });
    });
    await producer.send(topics.statementsEnriched.name, messages);
    return ids;
  }

  async function countsOf(ids: string[]): Promise<{ distinct: number; rows: number }> {
    const [row] = await warehouse.query<{ distinct: string; rows: string }>(
      'SELECT uniqExact(id) AS distinct, count() AS rows FROM statements WHERE id IN {ids:Array(UUID)}',
      { ids },
    );
    return { distinct: Number(row.distinct), rows: Number(row.rows) };
  }

  function duplicatesSkipped(sink: RunningSink): Promise<number> {
    return sink.metrics.duplicatesSkipped.get().then((m) => m.values.reduce((sum, v) => sum + v.value, 0));
  }

  function rowsWritten(sink: RunningSink): Promise<number> {
    return sink.metrics.rowsWritten.get().then((m) => m.values.reduce((sum, v) => sum + v.value, 0));
  }

  it('writes every statement exactly once when a consumer dies after its insert and before its commit', async () => {
    const group = `sink-crash-${randomUUID()}`;
    const ids = await produceStatements(600, 'crash');

    // Sink A inserts its first batch and then freezes before the commit, as a killed process would: it stops
    // heartbeating, the group evicts it, and its partitions (with the uncommitted batch) move to sink B.
    let release: (error: Error) => void = () => undefined;
    const frozen = new Promise<never>((_, reject) => (release = reject));
    let frozenBatches = 0;
    const sinkA = await start(
      group,
      { KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '6000', KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS: '1000' },
      (step) => async (messages) => {
        // Once the first insert landed, every batch (of every partition A handles) stops before its commit.
        if (frozenBatches > 0) await frozen;
        const result = await step(messages);
        frozenBatches += 1;
        await frozen;
        return result;
      },
    );
    try {
      await pollUntil(() => frozenBatches > 0, { timeoutMs: 30_000, description: 'sink A inserted a batch' });
      const writtenByA = await rowsWritten(sinkA);
      expect(writtenByA).toBeGreaterThan(0);

      const sinkB = await start(group);
      await expectEventually(async () => expect(await countsOf(ids)).toEqual({ distinct: 600, rows: 600 }), {
        timeoutMs: 60_000,
      });
      // A committed nothing, so B is handed every batch A wrote and skips each of those rows (the exact counts
      // are the proof that none was written twice). The counts can be complete before B reaches the batches
      // that are all duplicates, so this is awaited too. At least: the shared topic may hold other ids twice.
      await expectEventually(
        async () => expect(await duplicatesSkipped(sinkB)).toBeGreaterThanOrEqual(await rowsWritten(sinkA)),
        { timeoutMs: 60_000 },
      );
    } finally {
      release(new Error('sink A was killed'));
    }
    await sinkA.close();
    running.splice(running.indexOf(sinkA), 1);
    expect(await countsOf(ids)).toEqual({ distinct: 600, rows: 600 });
  });

  it('does not write when it stalled between its id lookup and its insert and lost its partitions meanwhile', async () => {
    const group = `sink-zombie-${randomUUID()}`;
    const ids = await produceStatements(300, 'zombie');

    // Sink A's lookup of stored ids answers (none yet), then A stalls before its INSERT, as a long GC pause
    // or a paused VM would, past its session timeout: the group hands its partitions to sink B.
    let stalled = false;
    let resume: () => void = () => undefined;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    const stallingWarehouse: Warehouse = {
      kind: warehouse.kind,
      command: (sql, params) => warehouse.command(sql, params),
      queryBytes: (sql, format, params) => warehouse.queryBytes(sql, format, params),
      insertJsonEachRow: (table, rows) => warehouse.insertJsonEachRow(table, rows),
      close: async () => undefined,
      query: async <T>(sql: string, params?: QueryParams, schema?: z.ZodType<T>): Promise<T[]> => {
        const rows = await warehouse.query(sql, params, schema);
        if (sql.includes('found_id') && !stalled) {
          stalled = true;
          await resumed;
        }
        return rows;
      },
    };
    const failures: unknown[] = [];
    const sinkA = await startSink({
      env: await sinkEnv(group, {
        KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '6000',
        KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
      }),
      warehouse: stallingWarehouse,
      wrapStep: (step) => async (messages, context) => {
        try {
          return await step(messages, context);
        } catch (error) {
          failures.push(error);
          throw error;
        }
      },
    });
    running.push(sinkA);
    try {
      await pollUntil(() => stalled, { timeoutMs: 30_000, description: 'sink A looked up ids' });
      const sinkB = await start(group);
      await expectEventually(async () => expect(await countsOf(ids)).toEqual({ distinct: 300, rows: 300 }), {
        timeoutMs: 60_000,
      });
      // (Rows are visible a moment before the INSERT's promise resolves and the metric counts them.)
      await expectEventually(async () => expect(await rowsWritten(sinkB)).toBeGreaterThanOrEqual(300));
    } finally {
      resume();
    }
    // A wakes up with a stale answer ("none stored"); its fence finds it is no longer a member.
    await pollUntil(() => failures.some((e) => (e as Error).name === 'MembershipLostError'), {
      timeoutMs: 30_000,
      description: 'sink A refused to write after losing its partitions',
    });
    expect(await rowsWritten(sinkA)).toBe(0);
    expect(await countsOf(ids)).toEqual({ distinct: 300, rows: 300 });
  });

  it('loses nothing when a sink restarts mid-stream, and two sinks share the partitions', async () => {
    const group = `sink-restart-${randomUUID()}`;
    const first = await produceStatements(400, 'restart-a');
    const sink1 = await start(group, {
      KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '6000',
      KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
    });
    await pollUntil(async () => (await countsOf(first)).distinct > 0, {
      timeoutMs: 30_000,
      description: 'first rows',
    });

    // Graceful stop in the middle of the stream, more traffic while nothing consumes, then two instances.
    await sink1.close();
    running.splice(running.indexOf(sink1), 1);
    const second = await produceStatements(400, 'restart-b');
    const sink2 = await start(group, {
      KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '6000',
      KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
    });
    const sink3 = await start(group, {
      KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '6000',
      KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
    });
    const third = await produceStatements(400, 'restart-c');

    const all = [...first, ...second, ...third];
    await expectEventually(async () => expect(await countsOf(all)).toEqual({ distinct: 1200, rows: 1200 }), {
      timeoutMs: 60_000,
    });
    // After the rebalance both instances own partitions (6 partitions, 2 members).
    const assigned = await Promise.all([sink2, sink3].map(rowsWritten));
    expect(assigned[0] + assigned[1]).toBeGreaterThan(0);
    const description = await kafka.admin();
    await description.connect();
    const groupInfo = await description.describeGroups([group]);
    await description.disconnect();
    expect(groupInfo.groups[0].members).toHaveLength(2);
  });

  it('sends a poison message to the DLQ with its reason and lets the rest flow on', async () => {
    const group = `sink-poison-${randomUUID()}`;
    const tag = randomUUID();
    const good = enrichedMessageFixture({ email: `poison-${tag}@example.org` });
    const badDuration = enrichedMessageFixture({ email: `poison-${tag}@example.org` });
    (badDuration.value.statement.result as Record<string, unknown>).duration = 'half an hour';
    const notAContract = {
      key: Buffer.from(`mbox:mailto:poison-${tag}@example.org`),
      value: Buffer.from('{"statement":'),
    };
    await producer.send(topics.statementsEnriched.name, [
      encodeMessage(topics.statementsEnriched, { key: badDuration.key as string, value: badDuration.value }),
      notAContract,
      encodeMessage(topics.statementsEnriched, { key: good.key as string, value: good.value }),
    ]);

    const dlq: { reason: string; errorClass: string; sourceTopic: string }[] = [];
    const consumer: Consumer = kafka.consumer({ groupId: `dlq-reader-${tag}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.statementsEnriched.dlq.name], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== `mbox:mailto:poison-${tag}@example.org`) return;
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [
            k,
            Buffer.isBuffer(v) ? v.toString() : String(v),
          ]),
        );
        const meta = decodeDlqHeaders(headers);
        dlq.push({ reason: meta.reason, errorClass: meta.errorClass, sourceTopic: meta.sourceTopic });
      },
    });
    try {
      await start(group);
      await expectEventually(
        async () =>
          expect(await countsOf([good.value.statement.id as string])).toEqual({ distinct: 1, rows: 1 }),
        {
          timeoutMs: 30_000,
        },
      );
      await expectEventually(() => expect(dlq).toHaveLength(2), { timeoutMs: 30_000 });
      expect(dlq).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            errorClass: 'StatementMappingError',
            reason: expect.stringContaining('statement.result.duration'),
          }),
          expect.objectContaining({ errorClass: 'ContractDecodeError' }),
        ]),
      );
      expect(dlq.every((d) => d.sourceTopic === topics.statementsEnriched.name)).toBe(true);
      expect(await countsOf([badDuration.value.statement.id as string])).toEqual({ distinct: 0, rows: 0 });
    } finally {
      await consumer.disconnect();
    }
  });

  it('delivers every acknowledged statement when the broker restarts while producing', async () => {
    const group = `sink-broker-restart-${randomUUID()}`;
    await start(group);
    const acknowledged: string[] = [];
    let failedSends = 0;
    let producing = true;
    const loop = (async () => {
      for (let i = 0; producing && i < 400; i += 1) {
        const fixture = enrichedMessageFixture({ email: `broker-restart-${i % 10}@example.org` });
        try {
          await producer.send(topics.statementsEnriched.name, [
            encodeMessage(topics.statementsEnriched, { key: fixture.key as string, value: fixture.value }),
          ]);
          acknowledged.push(fixture.value.statement.id as string);
        } catch {
          failedSends += 1; // not acknowledged: the client would retry; nothing is promised for it
        }
      }
    })();
    await pollUntil(() => acknowledged.length >= 50, {
      timeoutMs: 30_000,
      description: '50 acknowledged sends',
    });
    await restartTestBroker();
    await loop.finally(() => (producing = false));

    expect(acknowledged.length).toBeGreaterThan(50);
    await expectEventually(
      async () =>
        expect(await countsOf(acknowledged)).toEqual({
          distinct: acknowledged.length,
          rows: acknowledged.length,
        }),
      { timeoutMs: 90_000 },
    );
    expect(acknowledged.length + failedSends).toBe(400);
  });
});
