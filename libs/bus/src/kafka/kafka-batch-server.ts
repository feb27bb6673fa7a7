import { dlqTopicOf, encodeDlqHeaders } from '@app/contracts';
import { Logger } from '@nestjs/common';
import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import {
  DEFAULT_RETRY_POLICY,
  processBatch,
  type DeadLetter,
  type RawMessage,
  type RetryPolicy,
} from '../core/batch-processor';
import type { ConsumerMetrics } from '../core/consumer-metrics';
import { contractDecoder } from '../core/decoders';
import { ShutdownInterruptedError, type ErrorClassifier } from '../core/errors';
import type { MessageDecoder, MessageProducer, OutgoingMessage } from '../core/ports';
import { BatchContext } from '../nest/batch-context';
import { BatchServerBase, type TransportEventListener } from '../nest/batch-server-base';
import { invokeNestHandler } from '../nest/nest-handler';

export const KAFKA_BATCH_TRANSPORT = Symbol('KAFKA_BATCH_TRANSPORT');

export interface KafkaBatchServerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  /** Where dead letters are produced (to `<topic>.dlq`); the host owns its lifecycle. */
  readonly deadLetterProducer: MessageProducer;
  /** Default: validate against the topic's contract in @app/contracts. */
  readonly decode?: MessageDecoder;
  readonly classify?: ErrorClassifier;
  readonly retry?: RetryPolicy;
  readonly metrics?: ConsumerMetrics;
  /** Where a group with no committed offset starts. Default true: a new consumer must not skip history. */
  readonly fromBeginning?: boolean;
  /** Partitions handled in parallel by this instance (order within a partition is always kept). */
  readonly partitionsConsumedConcurrently?: number;
  readonly consumer?: Omit<ConsumerConfig, 'groupId'>;
}

type KafkaBatchStatus = 'connected' | 'disconnected' | 'rebalancing' | 'crashed' | 'stopped';

/**
 * NestJS transport that consumes whole partition batches (Nest's own Kafka server handles one message
 * at a time, nestjs/nest#9455) and commits offsets only after the batch's work is done. Handlers come from
 * `@EventPattern(topic)` or `registerHandler(topic, handler)`; see `processBatch` for the delivery rules.
 */
export class KafkaBatchServer extends BatchServerBase {
  override readonly transportId = KAFKA_BATCH_TRANSPORT;
  protected override readonly logger = new Logger(KafkaBatchServer.name);
  private consumer: Consumer | null = null;
  private closing = false;
  private readonly pendingListeners: [string, TransportEventListener][] = [];

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async start(): Promise<void> {
    const topics = this.topics();
    if (topics.length === 0) throw new Error('KafkaBatchServer has no handlers: nothing to consume');
    this.closing = false;
    const consumer = this.options.kafka.consumer({
      ...this.options.consumer,
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    this.trackStatus(consumer);
    for (const [event, listener] of this.pendingListeners) consumer.on(event as never, listener);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  /** Lets the batch in hand finish (a retry in progress stops waiting), commits it, and leaves the group. */
  async close(): Promise<void> {
    this.closing = true;
    const consumer = this.consumer;
    this.consumer = null;
    if (consumer) await consumer.disconnect();
    this._status$.next('disconnected');
  }

  /** kafkajs consumer events (`consumer.crash`, `consumer.group_join`, ...). */
  on(event: string, callback: TransportEventListener): void {
    this.pendingListeners.push([event, callback]);
    this.consumer?.on(event as never, callback);
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('KafkaBatchServer is not listening');
    return this.consumer as T;
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.isEmpty()) return;
    const { topic, partition } = batch;
    this.options.metrics?.batchReceived?.({
      topic,
      partition,
      size: batch.messages.length,
      lag: Number(BigInt(batch.highWatermark) - BigInt(batch.lastOffset()) - 1n),
    });
    const handler = this.handlerFor(topic);
    const context = new BatchContext([topic, partition, () => payload.heartbeat()]);
    try {
      await processBatch(
        topic,
        partition,
        batch.messages.map((m) => toRawMessage(topic, partition, m)),
        (messages) => invokeNestHandler(handler, messages, context),
        {
          decode: this.options.decode ?? contractDecoder,
          classify: this.options.classify,
          retry: this.options.retry ?? DEFAULT_RETRY_POLICY,
          metrics: this.options.metrics,
          heartbeat: () => payload.heartbeat(),
          isStopping: () => this.closing || !payload.isRunning() || payload.isStale(),
          deadLetter: (letters) => this.deadLetter(topic, letters),
          markDone: async (last) => {
            payload.resolveOffset(last.offset);
            // The payload's commit, not consumer.commitOffsets: the latter silently skips once stop() has
            // begun, which would lose the commit of the batch a graceful shutdown waits for.
            await payload.commitOffsetsIfNecessary({
              topics: [{ topic, partitions: [{ partition, offset: (BigInt(last.offset) + 1n).toString() }] }],
            });
          },
        },
      );
    } catch (error) {
      // Stopping or losing the partition mid-retry: what is done is committed, the rest is redelivered.
      if (error instanceof ShutdownInterruptedError) {
        this.logger.warn(error.message);
        return;
      }
      throw error;
    }
  }

  private async deadLetter(topic: string, letters: readonly DeadLetter[]): Promise<void> {
    const failedAt = new Date().toISOString();
    const messages: OutgoingMessage[] = letters.map(({ message, reason, errorClass }) => ({
      key: message.raw.key,
      value: message.raw.value,
      headers: {
        ...message.raw.headers,
        ...encodeDlqHeaders({
          reason,
          errorClass,
          sourceTopic: topic,
          sourcePartition: String(message.partition),
          sourceOffset: message.offset,
          failedAt,
          consumerGroup: this.options.groupId,
        }),
      },
    }));
    for (const letter of letters) {
      this.logger.warn(
        `dead-lettering ${topic}[${letter.message.partition}]@${letter.message.offset}: ${letter.errorClass}: ${letter.reason}`,
      );
    }
    await this.options.deadLetterProducer.send(dlqTopicOf(topic), messages);
  }

  private trackStatus(consumer: Consumer): void {
    const { CONNECT, DISCONNECT, REBALANCING, CRASH, STOP, GROUP_JOIN } = consumer.events;
    const set = (status: KafkaBatchStatus) => () => this._status$.next(status);
    consumer.on(CONNECT, set('connected'));
    consumer.on(GROUP_JOIN, set('connected'));
    consumer.on(DISCONNECT, set('disconnected'));
    consumer.on(REBALANCING, set('rebalancing'));
    consumer.on(STOP, set('stopped'));
    consumer.on(CRASH, (event) => {
      this.logger.error(
        `consumer crashed (restart: ${event.payload.restart}): ${event.payload.error.message}`,
      );
      this._status$.next('crashed');
    });
  }
}

function toRawMessage(topic: string, partition: number, message: KafkaMessage): RawMessage {
  const rawHeaders: Record<string, Buffer> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined) continue;
    const buffer = Buffer.isBuffer(first) ? first : Buffer.from(first);
    rawHeaders[name] = buffer;
    headers[name] = buffer.toString('utf8');
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    headers,
    timestamp: message.timestamp,
    raw: { key: message.key ?? null, value: message.value ?? null, headers: rawHeaders },
  };
}
