/** One message to send. Producers encode with @app/contracts (`encodeMessage`), so values arrive as bytes. */
export interface OutgoingMessage {
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, string | Buffer>>;
}

export interface MessageProducer {
  /** Resolves only once every message is durably accepted (Kafka: acked by all in-sync replicas). */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
}

/** A message as a handler sees it: the decoded value plus where it came from and its original bytes. */
export interface ConsumedMessage<T> {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset as a decimal string (int64); the in-process bus numbers messages per topic. */
  readonly offset: string;
  readonly key: string | null;
  readonly value: T;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: string;
  /** The bytes as received, which is what a dead letter carries. */
  readonly raw: {
    readonly key: Buffer | null;
    readonly value: Buffer | null;
    readonly headers: Readonly<Record<string, Buffer>>;
  };
}

/** What happened to one message; a message a handler does not mention was processed. */
export type MessageOutcome =
  | { readonly type: 'ok' }
  | { readonly type: 'dlq'; readonly reason: string; readonly errorClass?: string }
  | { readonly type: 'drop'; readonly reason: string };

export const outcome = {
  ok: (): MessageOutcome => ({ type: 'ok' }),
  dlq: (reason: string, errorClass?: string): MessageOutcome => ({ type: 'dlq', reason, errorClass }),
  drop: (reason: string): MessageOutcome => ({ type: 'drop', reason }),
};

/**
 * A handler's verdict on a batch. `void`/`undefined` means every message was processed. Otherwise
 * `outcomes[i]` is the outcome of `messages[i]` (same length). Throwing instead means the whole batch
 * failed: a RetriableError is retried, a PermanentError makes the transport split the batch to find the
 * culprit(s).
 */
export type BatchResult = void | undefined | { readonly outcomes: readonly MessageOutcome[] };

/** What a transport tells a handler about the batch in hand. */
export interface BatchHandlerContext {
  /**
   * Proves this consumer still belongs to its group (Kafka: a heartbeat, sent when the heartbeat interval
   * has passed); throws when the group moved on without it, i.e. its partitions may have a new owner.
   * In-process: always resolves.
   */
  heartbeat(): Promise<void>;
}

export type BatchHandler<T> = (
  messages: ConsumedMessage<T>[],
  context?: BatchHandlerContext,
) => Promise<BatchResult>;

/** Decodes (and validates) a message value; a throw dead-letters that message. */
export type MessageDecoder = (topic: string, value: Buffer | null) => unknown;
