import { decodeDlqHeaders, dlqTopicOf, encodeDlqHeaders, isDlqTopic, type DlqMetadata } from '@app/contracts';
import { processBatch, type DeadLetter, type RawMessage, type RetryPolicy } from '../core/batch-processor';
import type { ConsumerMetrics } from '../core/consumer-metrics';
import { contractDecoder } from '../core/decoders';
import { NoSubscriberError, ProducerClosedError, type ErrorClassifier } from '../core/errors';
import type { BatchHandler, MessageDecoder, MessageProducer, OutgoingMessage } from '../core/ports';

/** A dead letter as the embedded host stores it: the original bytes, the `x-dlq-*` headers and their meaning. */
export interface DeadLetterRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly metadata: DlqMetadata;
}

/** Must resolve only once the records are durable: `send` reports success after it. */
export type DeadLetterSink = (records: readonly DeadLetterRecord[]) => Promise<void>;

export interface InProcessBusOptions {
  readonly deadLetterSink: DeadLetterSink;
  readonly decode?: MessageDecoder;
  readonly classify?: ErrorClassifier;
  /**
   * A caller is waiting on `send`, so retriable failures are retried briefly and then reported to it
   * (the gateway answers 503 and the client retries) rather than retried forever.
   */
  readonly retry?: RetryPolicy;
  readonly metrics?: ConsumerMetrics;
  /** Appears as the consumer group in dead-letter headers. */
  readonly name?: string;
  /** Most messages handed to a handler at once when concurrent sends are merged (default 5000). */
  readonly maxBatchMessages?: number;
}

interface QueuedSend {
  readonly raws: RawMessage[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export const IN_PROCESS_RETRY_POLICY: RetryPolicy = { initialDelayMs: 50, maxDelayMs: 1000, maxAttempts: 5 };

/**
 * The embedded mode's bus: `send` runs the topic's handler (and whatever it sends on) directly and
 * resolves only when that chain is done, with the Kafka transport's rules for decoding, outcomes,
 * splitting on permanent errors and dead letters.
 *
 * Group commit: while a topic's handler is busy, sends to that topic wait and are then handed over together
 * as one batch, and each caller's promise settles with that batch. A lone send pays no extra latency, and
 * under load the sink writes one INSERT (one fsync) for many concurrent requests instead of one each.
 */
export class InProcessBus implements MessageProducer {
  private readonly handlers = new Map<string, BatchHandler<unknown>>();
  private readonly nextOffset = new Map<string, bigint>();
  private readonly queues = new Map<string, QueuedSend[]>();
  private readonly draining = new Set<string>();
  private closed = false;

  constructor(private readonly options: InProcessBusOptions) {}

  subscribe<T>(topic: string, handler: BatchHandler<T>): () => void {
    if (this.handlers.has(topic)) throw new Error(`a handler for ${topic} is already subscribed`);
    this.handlers.set(topic, handler as BatchHandler<unknown>);
    return () => {
      if (this.handlers.get(topic) === handler) this.handlers.delete(topic);
    };
  }

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closed) throw new ProducerClosedError('in-process bus is closed');
    if (messages.length === 0) return;
    const raws = messages.map((m) => this.toRaw(topic, m));
    if (isDlqTopic(topic)) {
      await this.options.deadLetterSink(raws.map((raw) => this.explicitDeadLetter(topic, raw)));
      return;
    }
    const handler = this.handlers.get(topic);
    if (!handler) throw new NoSubscriberError(topic);
    await new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(topic) ?? [];
      queue.push({ raws, resolve, reject });
      this.queues.set(topic, queue);
      if (!this.draining.has(topic)) void this.drain(topic, handler);
    });
  }

  /** Hands the queued sends of a topic to its handler, as few batches as the size limit allows. */
  private async drain(topic: string, handler: BatchHandler<unknown>): Promise<void> {
    this.draining.add(topic);
    const limit = this.options.maxBatchMessages ?? 5000;
    try {
      for (let queue = this.queues.get(topic); queue && queue.length > 0; queue = this.queues.get(topic)) {
        const sends: QueuedSend[] = [];
        let count = 0;
        while (queue.length > 0 && (sends.length === 0 || count + queue[0].raws.length <= limit)) {
          const next = queue.shift() as QueuedSend;
          sends.push(next);
          count += next.raws.length;
        }
        try {
          await this.process(
            topic,
            handler,
            sends.flatMap((send) => send.raws),
          );
          for (const send of sends) send.resolve();
        } catch (error) {
          for (const send of sends) send.reject(error);
        }
      }
    } finally {
      this.draining.delete(topic);
    }
  }

  private process(topic: string, handler: BatchHandler<unknown>, raws: RawMessage[]): Promise<void> {
    return processBatch(topic, 0, raws, handler, {
      decode: this.options.decode ?? contractDecoder,
      classify: this.options.classify,
      retry: this.options.retry ?? IN_PROCESS_RETRY_POLICY,
      metrics: this.options.metrics,
      isStopping: () => this.closed,
      heartbeat: async () => {},
      markDone: async () => {},
      deadLetter: (letters) =>
        this.options.deadLetterSink(letters.map((l) => this.toDeadLetterRecord(topic, l))),
    });
  }

  /** Refuses new sends; sends in progress finish. */
  close(): void {
    this.closed = true;
  }

  private toRaw(topic: string, message: OutgoingMessage): RawMessage {
    const offset = this.nextOffset.get(topic) ?? 0n;
    this.nextOffset.set(topic, offset + 1n);
    const key = toBuffer(message.key);
    const rawHeaders: Record<string, Buffer> = {};
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      rawHeaders[name] = Buffer.isBuffer(value) ? value : Buffer.from(value);
      headers[name] = value.toString();
    }
    return {
      topic,
      partition: 0,
      offset: offset.toString(),
      key: key ? key.toString('utf8') : null,
      headers,
      timestamp: Date.now().toString(),
      raw: { key, value: toBuffer(message.value), headers: rawHeaders },
    };
  }

  private toDeadLetterRecord(topic: string, { message, reason, errorClass }: DeadLetter): DeadLetterRecord {
    const metadata: DlqMetadata = {
      reason,
      errorClass,
      sourceTopic: topic,
      sourcePartition: String(message.partition),
      sourceOffset: message.offset,
      failedAt: new Date().toISOString(),
      consumerGroup: this.options.name ?? 'in-process',
    };
    return {
      topic: dlqTopicOf(topic),
      key: message.raw.key,
      value: message.raw.value,
      headers: { ...message.headers, ...encodeDlqHeaders(metadata) },
      metadata,
    };
  }

  /** Something produced straight to a DLQ topic (a tool re-routing letters); it must carry the headers. */
  private explicitDeadLetter(topic: string, raw: RawMessage): DeadLetterRecord {
    const metadata = decodeDlqHeaders(raw.headers);
    return { topic, key: raw.raw.key, value: raw.raw.value, headers: raw.headers, metadata };
  }
}

function toBuffer(value: Buffer | string | null): Buffer | null {
  if (value === null) return null;
  return Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
}
