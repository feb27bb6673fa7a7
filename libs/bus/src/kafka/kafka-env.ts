import { envList, envPositiveInt } from '@app/config';
import { z } from 'zod';
import type { RetryPolicy } from '../core/batch-processor';
import type { KafkaClientOptions } from './kafka-client';
import type { KafkaProducerOptions } from './kafka-producer';
import type { KafkaBatchServerOptions } from './kafka-batch-server';

/**
 * The bus's section of an app's environment schema (spread it into the app's `z.object`, in Kafka mode
 * only). Every knob has a default except the broker list.
 */
export const kafkaEnvShape = {
  /** Comma-separated bootstrap brokers, e.g. `kafka-1:9092,kafka-2:9092`. */
  KAFKA_BROKERS: envList(),
  /** Shows up in broker logs and quotas; defaults to the service name the app passes in. */
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  /** How long a produced message may wait for others to share its request. */
  KAFKA_PRODUCER_LINGER_MS: envPositiveInt(5),
  /** Flush the producer queue at this many messages... */
  KAFKA_PRODUCER_MAX_BATCH_MESSAGES: envPositiveInt(1000),
  /** ...or at this many payload bytes (keep under the broker's message.max.bytes, 1 MiB by default). */
  KAFKA_PRODUCER_MAX_BATCH_BYTES: envPositiveInt(900_000),
  /** gzip roughly halves JSON statements on the wire at some CPU cost. */
  KAFKA_PRODUCER_COMPRESSION: z.enum(['none', 'gzip']).default('none'),
  /** A consumer that misses heartbeats this long is removed from its group. */
  KAFKA_CONSUMER_SESSION_TIMEOUT_MS: envPositiveInt(30_000),
  KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS: envPositiveInt(3_000),
  /**
   * Partitions one instance processes in parallel (order inside a partition is always kept). Batches in
   * flight together share one INSERT in the sink (group commit).
   */
  KAFKA_CONSUMER_PARTITIONS_CONCURRENTLY: envPositiveInt(3),
  /** First wait after a retriable handler failure; doubles up to the maximum, retried until shutdown. */
  KAFKA_RETRY_INITIAL_DELAY_MS: envPositiveInt(200),
  KAFKA_RETRY_MAX_DELAY_MS: envPositiveInt(30_000),
  /** 1 for a single broker; 3 in a real cluster. */
  KAFKA_TOPIC_REPLICATION_FACTOR: envPositiveInt(1),
};

export const kafkaEnvSchema = z.object(kafkaEnvShape);
export type KafkaEnv = z.infer<typeof kafkaEnvSchema>;

export interface KafkaSettings {
  readonly client: KafkaClientOptions;
  readonly producer: KafkaProducerOptions;
  readonly consumer: Pick<KafkaBatchServerOptions, 'consumer' | 'partitionsConsumedConcurrently'>;
  readonly retry: RetryPolicy;
  readonly replicationFactor: number;
}

/** Turns the validated environment section into the options the Kafka adapters take. */
export function kafkaSettingsFromEnv(env: KafkaEnv, defaultClientId: string): KafkaSettings {
  return {
    client: { brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID ?? defaultClientId },
    producer: {
      lingerMs: env.KAFKA_PRODUCER_LINGER_MS,
      maxBatchMessages: env.KAFKA_PRODUCER_MAX_BATCH_MESSAGES,
      maxBatchBytes: env.KAFKA_PRODUCER_MAX_BATCH_BYTES,
      compression: env.KAFKA_PRODUCER_COMPRESSION,
    },
    consumer: {
      consumer: {
        sessionTimeout: env.KAFKA_CONSUMER_SESSION_TIMEOUT_MS,
        heartbeatInterval: env.KAFKA_CONSUMER_HEARTBEAT_INTERVAL_MS,
      },
      partitionsConsumedConcurrently: env.KAFKA_CONSUMER_PARTITIONS_CONCURRENTLY,
    },
    retry: { initialDelayMs: env.KAFKA_RETRY_INITIAL_DELAY_MS, maxDelayMs: env.KAFKA_RETRY_MAX_DELAY_MS },
    replicationFactor: env.KAFKA_TOPIC_REPLICATION_FACTOR,
  };
}
