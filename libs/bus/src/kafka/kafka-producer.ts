import {
  CompressionTypes,
  Partitioners,
  type Kafka,
  type Message,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import { ProducerClosedError } from '../core/errors';
import type { MessageProducer, OutgoingMessage } from '../core/ports';

export interface KafkaProducerOptions {
  /** How long a message may wait for others to share its request. */
  readonly lingerMs?: number;
  /** Flush as soon as this many messages are queued. */
  readonly maxBatchMessages?: number;
  /** Flush as soon as this many payload bytes are queued (stay under the broker's message.max.bytes). */
  readonly maxBatchBytes?: number;
  readonly compression?: 'none' | 'gzip';
  /** Metrics hook: one call per acknowledged request. */
  readonly onFlush?: (event: { messages: number; bytes: number; seconds: number; ok: boolean }) => void;
}

interface PendingSend {
  readonly topic: string;
  readonly messages: readonly OutgoingMessage[];
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Idempotent producer with acks=all. `send` queues the messages; the queue is flushed as one request when
 * it reaches a size limit or after `lingerMs`, and every caller's promise settles with the request that
 * carried its messages: resolved only after the broker acknowledged them, rejected with the broker error.
 * One request is in flight at a time (kafkajs requires that for idempotence), so order is kept.
 */
export class KafkaProducer implements MessageProducer {
  private readonly producer: Producer;
  private readonly lingerMs: number;
  private readonly maxBatchMessages: number;
  private readonly maxBatchBytes: number;
  private readonly compression: CompressionTypes;
  private queue: PendingSend[] = [];
  private queuedMessages = 0;
  private queuedBytes = 0;
  private lingerTimer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private closed = false;

  constructor(
    kafka: Kafka,
    private readonly options: KafkaProducerOptions = {},
  ) {
    this.lingerMs = options.lingerMs ?? 5;
    this.maxBatchMessages = options.maxBatchMessages ?? 1000;
    this.maxBatchBytes = options.maxBatchBytes ?? 900_000;
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // The Java client's murmur2 partitioner, so keys land where any other Kafka client would put them.
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closed) return Promise.reject(new ProducerClosedError('producer is closed'));
    if (messages.length === 0) return Promise.resolve();
    // A send larger than one request may carry (the broker refuses a record batch over message.max.bytes,
    // 1 MiB by default) is split; the caller's promise settles when every part was acknowledged. Parts keep
    // their order: one request is in flight at a time.
    const parts = splitByLimits(messages, this.maxBatchMessages, this.maxBatchBytes);
    return Promise.all(
      parts.map(
        (part) =>
          new Promise<void>((resolve, reject) => {
            this.queue.push({ topic, messages: part.messages, bytes: part.bytes, resolve, reject });
            this.queuedMessages += part.messages.length;
            this.queuedBytes += part.bytes;
            this.schedule();
          }),
      ),
    ).then(() => undefined);
  }

  /** Sends everything queued, waits for the acks, then disconnects; later sends are refused. */
  async disconnect(): Promise<void> {
    this.closed = true;
    this.clearLinger();
    while (this.queue.length > 0 || this.draining) {
      await (this.draining ?? this.drain());
    }
    this.clearLinger();
    await this.producer.disconnect();
  }

  private schedule(): void {
    if (this.draining) return; // the running drain picks the queue up when its request is acked
    if (this.queuedMessages >= this.maxBatchMessages || this.queuedBytes >= this.maxBatchBytes) {
      this.clearLinger();
      void this.drain();
    } else if (!this.lingerTimer) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = null;
        void this.drain();
      }, this.lingerMs);
    }
  }

  private clearLinger(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
  }

  private drain(): Promise<void> {
    if (this.draining) return this.draining;
    const loop = async (): Promise<void> => {
      while (this.queue.length > 0) await this.flushOnce();
    };
    // Cleared in a `finally` callback, which always runs after this assignment (an async body that
    // finishes synchronously would otherwise clear `draining` before it is set, leaving it stuck). A send
    // that arrived after the loop's last check but before this callback is scheduled here.
    const draining: Promise<void> = loop().finally(() => {
      if (this.draining === draining) this.draining = null;
      if (this.queue.length > 0) this.schedule();
    });
    this.draining = draining;
    return draining;
  }

  /** Takes whole queued parts up to the limits (at least one part). */
  private async flushOnce(): Promise<void> {
    const batch: PendingSend[] = [];
    let messages = 0;
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      const fits =
        batch.length === 0 ||
        (messages + next.messages.length <= this.maxBatchMessages &&
          bytes + next.bytes <= this.maxBatchBytes);
      if (!fits) break;
      batch.push(next);
      this.queue.shift();
      messages += next.messages.length;
      bytes += next.bytes;
    }
    this.queuedMessages -= messages;
    this.queuedBytes -= bytes;

    const byTopic = new Map<string, Message[]>();
    for (const pending of batch) {
      const list = byTopic.get(pending.topic) ?? [];
      for (const m of pending.messages) list.push(toKafkaMessage(m));
      byTopic.set(pending.topic, list);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
    const started = process.hrtime.bigint();
    try {
      await this.producer.sendBatch({ topicMessages, acks: -1, compression: this.compression });
    } catch (error) {
      this.options.onFlush?.({ messages, bytes, seconds: secondsSince(started), ok: false });
      for (const pending of batch) pending.reject(error);
      return;
    }
    this.options.onFlush?.({ messages, bytes, seconds: secondsSince(started), ok: true });
    for (const pending of batch) pending.resolve();
  }
}

/** Consecutive runs of messages within both limits (a single oversized message travels alone). */
function splitByLimits(
  messages: readonly OutgoingMessage[],
  maxMessages: number,
  maxBytes: number,
): { messages: OutgoingMessage[]; bytes: number }[] {
  const parts: { messages: OutgoingMessage[]; bytes: number }[] = [];
  let current: { messages: OutgoingMessage[]; bytes: number } = { messages: [], bytes: 0 };
  for (const message of messages) {
    const size = sizeOf(message);
    const full = current.messages.length >= maxMessages || current.bytes + size > maxBytes;
    if (current.messages.length > 0 && full) {
      parts.push(current);
      current = { messages: [], bytes: 0 };
    }
    current.messages.push(message);
    current.bytes += size;
  }
  if (current.messages.length > 0) parts.push(current);
  return parts;
}

function toKafkaMessage(message: OutgoingMessage): Message {
  return {
    key: message.key,
    value: message.value,
    headers: message.headers ? { ...message.headers } : undefined,
  };
}

function sizeOf(message: OutgoingMessage): number {
  let size = (message.key?.length ?? 0) + (message.value?.length ?? 0);
  for (const [name, value] of Object.entries(message.headers ?? {})) size += name.length + value.length;
  return size;
}

function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
