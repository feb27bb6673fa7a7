import { createKafkaClient, type ConsumedMessage } from '@app/bus';
import { ConfigError, loadConfig } from '@app/config';
import { topics } from '@app/contracts';
import { PipelineMetrics } from '@app/observability';
import { consumerMetricsOf } from './consumer-metrics';
import { enricherEnvSchema, learnerFeedGroupId } from './enricher.config';
import { TopicKafkaBatchServer } from './topic-kafka-batch-server';

describe('enricher configuration', () => {
  it('needs only the brokers; the change-feed group is per instance', () => {
    const config = loadConfig(enricherEnvSchema, { KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092' });
    expect(config).toMatchObject({
      KAFKA_BROKERS: ['kafka-1:9092', 'kafka-2:9092'],
      ENRICHER_GROUP_ID: 'enricher',
      PORT: 8081,
      WAREHOUSE: 'clickhouse',
      WAREHOUSE_MIGRATE: false,
      KAFKA_ENSURE_TOPICS: true,
    });
    expect(config.REFERENCE_DATA_DIR).toBeUndefined();
    expect(learnerFeedGroupId(config)).toMatch(new RegExp(`^enricher-learners-.+-${process.pid}$`));
    expect(learnerFeedGroupId({ ENRICHER_INSTANCE_ID: 'enricher-0' })).toBe('enricher-learners-enricher-0');
  });

  it('lists every problem at once', () => {
    expect(() => loadConfig(enricherEnvSchema, { ENRICHER_INSTANCE_ID: 'a b', PORT: 'http' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig(enricherEnvSchema, { ENRICHER_INSTANCE_ID: 'a b', PORT: 'http' })).toThrow(
      /KAFKA_BROKERS[\s\S]*ENRICHER_INSTANCE_ID|ENRICHER_INSTANCE_ID[\s\S]*KAFKA_BROKERS/,
    );
  });
});

describe('TopicKafkaBatchServer', () => {
  it('takes only the handlers of its topics, so one controller can feed two consumer groups', () => {
    const kafka = createKafkaClient({ brokers: ['127.0.0.1:1'], clientId: 'unit' });
    const options = { kafka, groupId: 'g', deadLetterProducer: { send: async () => undefined } };
    const feed = new TopicKafkaBatchServer([topics.learnersChanged.name], options);
    const statements = new TopicKafkaBatchServer([topics.statementsReceived.name], options);
    const handler = async (_messages: ConsumedMessage<unknown>[]) => undefined;
    for (const server of [feed, statements]) {
      server.registerHandler(topics.learnersChanged.name, handler);
      server.registerHandler(topics.statementsReceived.name, handler);
    }
    expect([...feed.getHandlers().keys()]).toEqual([topics.learnersChanged.name]);
    expect([...statements.getHandlers().keys()]).toEqual([topics.statementsReceived.name]);
  });
});

describe('consumer metrics', () => {
  it('labels dead letters by the enrichment code, or the error class for free text', async () => {
    const metrics = new PipelineMetrics({ defaultMetrics: false });
    const hooks = consumerMetricsOf(metrics);
    const topic = topics.statementsReceived.name;
    hooks.deadLettered?.({
      topic,
      reason: 'unknown-learning-point: LP404 ...',
      errorClass: 'EnrichmentError',
      count: 2,
    });
    hooks.deadLettered?.({ topic, reason: 'value is not JSON', errorClass: 'ContractDecodeError', count: 1 });
    hooks.messagesProcessed?.({ topic, partition: 0, count: 5 });
    hooks.batchReceived?.({ topic, partition: 3, size: 7, lag: 11 });
    const body = (await metrics.render()).body;
    expect(body).toContain(`pipeline_dlq_total{topic="${topic}",reason="unknown-learning-point"} 2`);
    expect(body).toContain(`pipeline_dlq_total{topic="${topic}",reason="ContractDecodeError"} 1`);
    expect(body).toContain(`pipeline_messages_in_total{topic="${topic}"} 5`);
    expect(body).toContain(`pipeline_consumer_lag{topic="${topic}",partition="3"} 11`);
  });
});
