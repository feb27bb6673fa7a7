import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaClient, ensureTopics, KafkaProducer } from '@app/bus';
import { loadConfig } from '@app/config';
import {
  decodeValue,
  encodeMessage,
  topicDeclarations,
  topics,
  type EnrichedStatementValue,
} from '@app/contracts';
import { referenceIndex } from '@app/enrichment/test-fixtures';
import { JsonLogger } from '@app/observability';
import { LearnerRegistry } from '@app/registry';
import {
  expectEventually,
  pollUntil,
  startIsolatedKafka,
  uniqueTopic,
  type IsolatedKafka,
} from '@app/testing';
import { ChdbWarehouse, runMigrations } from '@app/warehouse';
import type { Consumer, Kafka } from 'kafkajs';
import { startEnricher, type RunningEnricher } from './enricher.app';
import { enricherEnvSchema } from './enricher.config';

jest.setTimeout(180_000);

/*
 * The enricher consumes the registry's topics from the beginning, so it runs on a broker of its own: on the
 * shared test broker it would wade through (and enrich) every other file's statements.
 */
let isolated: IsolatedKafka;
let kafka: Kafka;
const fast = { sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 };

describe('enricher application (Kafka + embedded ClickHouse)', () => {
  let dir: string;
  let warehouse: ChdbWarehouse;
  let producer: KafkaProducer;
  let registry: LearnerRegistry;
  let enricher: RunningEnricher | undefined;
  let collector: Consumer;
  const enriched = new Map<string, EnrichedStatementValue[]>();

  // Unique per run: learner ids, e-mail addresses, hence actor keys.
  const run = randomInt(1e9, 1e10 - 1);
  const older = { id: `L${run}1`, email: `older-${run}@example.cn` };
  const younger = { id: `L${run}2`, email: `younger-${run}@example.cn` };

  beforeAll(async () => {
    isolated = await startIsolatedKafka();
    kafka = createKafkaClient({ brokers: [isolated.brokers], clientId: 'enricher-int-spec' });
    dir = mkdtempSync(join(tmpdir(), 'enricher-app-'));
    warehouse = new ChdbWarehouse(dir);
    await runMigrations(warehouse);
    await ensureTopics(kafka, topicDeclarations());
    producer = new KafkaProducer(kafka, { lingerMs: 2 });
    await producer.connect();
    registry = new LearnerRegistry({ warehouse, producer, reference: referenceIndex() });

    collector = kafka.consumer({ groupId: uniqueTopic('enricher-app-collector'), ...fast });
    await collector.connect();
    await collector.subscribe({ topics: [topics.statementsEnriched.name], fromBeginning: true });
    await collector.run({
      eachMessage: async ({ message }) => {
        const value = decodeValue(topics.statementsEnriched, message.value);
        const id = value.statement.id as string;
        enriched.set(id, [...(enriched.get(id) ?? []), value]);
      },
    });
  });

  afterAll(async () => {
    await enricher?.close();
    await collector?.disconnect();
    await producer?.disconnect();
    await warehouse?.close();
    await isolated?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function sendStatement(email: string): Promise<string> {
    const id = randomUUID();
    await producer.send(topics.statementsReceived.name, [
      encodeMessage(topics.statementsReceived, {
        key: `mbox:mailto:${email}`,
        value: {
          statement: {
            id,
            actor: { objectType: 'Agent', mbox: `mailto:${email}` },
            verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { en: 'completed' } },
            object: {
              objectType: 'Activity',
              id: 'https://learn.jlp.cq.cn/xapi/activities/course/computer-basics/module/2',
            },
            timestamp: '2026-05-04T10:00:00+08:00',
            stored: '2026-05-04T02:00:00.000Z',
            version: '1.0.3',
          },
          receivedAt: '2026-05-04T02:00:00.000Z',
          source: { type: 'app', credentialKey: 'app' },
          requestId: randomUUID(),
        },
      }),
    ]);
    return id;
  }

  /** The enrichment this run's enricher gave the statement (each statement is enriched once per group). */
  const enrichmentOf = (statementId: string) =>
    expectEventually(
      () => {
        const values = enriched.get(statementId) ?? [];
        expect(values.length).toBeGreaterThan(0);
        return values[values.length - 1].enrichment;
      },
      { timeoutMs: 60_000, description: `the enriched statement ${statementId}` },
    );

  it('starts with the stored registry, follows its change feed, and enriches statements with both', async () => {
    // Registered before the enricher starts: it must come from dim_learners, not only from the feed.
    await registry.put(older.id, {
      identities: [`mbox:mailto:${older.email}`],
      birthYear: 1950,
      gender: 'male',
      homeTownId: 'T02',
      homeLearningPointId: 'LP009',
    });

    const config = loadConfig(enricherEnvSchema, {
      KAFKA_BROKERS: isolated.brokers,
      ENRICHER_GROUP_ID: uniqueTopic('enricher-app'),
      ENRICHER_INSTANCE_ID: uniqueTopic('int-spec'),
      PORT: '0',
      KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '6000',
      KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS: '500',
      KAFKA_RETRY_INITIAL_DELAY_MS: '50',
      KAFKA_RETRY_MAX_DELAY_MS: '500',
    });
    enricher = await startEnricher(config, { warehouse, logger: new JsonLogger('enricher', 'warn') });
    expect(enricher.directory.findByActorKey(`mbox:mailto:${older.email}`)?.id).toBe(older.id);

    const first = await sendStatement(older.email);
    expect(await enrichmentOf(first)).toMatchObject({
      learnerId: older.id,
      learnerKnown: true,
      ageBand: '70-79',
      gender: 'male',
      homeTownId: 'T02',
      learningPointId: 'LP009',
      townId: 'T02',
      region: 'east',
      attribution: 'home',
    });

    // Registered while the enricher runs: reaches it through the change feed.
    await registry.put(younger.id, {
      identities: [`mbox:mailto:${younger.email}`],
      birthYear: 1990,
      gender: 'female',
      homeTownId: 'T01',
      homeLearningPointId: null,
    });
    // The older learner moves to another point of the same town.
    const moved = await registry.put(older.id, {
      identities: [`mbox:mailto:${older.email}`],
      birthYear: 1950,
      gender: 'male',
      homeTownId: 'T02',
      homeLearningPointId: 'LP010',
    });
    const directory = enricher.directory;
    await pollUntil(() => directory.versionOf(older.id) === moved.version, {
      timeoutMs: 60_000,
      description: 'the home point change to reach the enricher',
    });
    await pollUntil(() => directory.findById(younger.id) !== undefined, {
      timeoutMs: 60_000,
      description: 'the new learner to reach the enricher',
    });

    const [afterMove, newcomer] = [await sendStatement(older.email), await sendStatement(younger.email)];
    expect(await enrichmentOf(afterMove)).toMatchObject({
      learnerId: older.id,
      learningPointId: 'LP010',
      townId: 'T02',
    });
    expect(await enrichmentOf(newcomer)).toMatchObject({
      learnerId: younger.id,
      ageBand: '30-44',
      gender: 'female',
      homeTownId: 'T01',
      learningPointId: 'unattributed',
      attribution: 'unattributed',
    });

    // Erasure reaches the enricher too: later statements of the actor are no longer linked to the learner.
    const erased = await registry.delete(younger.id);
    await pollUntil(() => directory.versionOf(younger.id) === erased?.version, {
      timeoutMs: 60_000,
      description: 'the erasure to reach the enricher',
    });
    expect(await enrichmentOf(await sendStatement(younger.email))).toMatchObject({
      learnerId: null,
      learnerKnown: false,
      ageBand: 'unknown',
    });

    const health = await enricher.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'up',
      checks: { 'consumer-statements': { status: 'up' }, 'consumer-learner-feed': { status: 'up' } },
    });
    const metrics = await enricher.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      new RegExp(
        `pipeline_messages_out_total\\{topic="${topics.statementsEnriched.name}",service="enricher"\\} [1-9]`,
      ),
    );
  });
});
