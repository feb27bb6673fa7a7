import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** kafkajs log level; WARN keeps rebalance chatter out of the logs. */
  readonly logLevel?: logLevel;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly extra?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

export function createKafkaClient(options: KafkaClientOptions): Kafka {
  return new Kafka({
    brokers: [...options.brokers],
    clientId: options.clientId,
    logLevel: options.logLevel ?? logLevel.WARN,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30000,
    retry: { initialRetryTime: 100, retries: 8 },
    ...options.extra,
  });
}
