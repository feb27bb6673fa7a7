import type { ConsumerMetrics } from './consumer-metrics';
import {
  classifyError,
  errorClassName,
  errorMessage,
  InvalidBatchResultError,
  ShutdownInterruptedError,
  type ErrorClassifier,
} from './errors';
import type { BatchHandler, BatchResult, ConsumedMessage, MessageDecoder, MessageOutcome } from './ports';

export interface RetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Attempts before giving up and throwing; `undefined` retries until the consumer stops. */
  readonly maxAttempts?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialDelayMs: 200, maxDelayMs: 30_000 };

export interface DeadLetter {
  readonly message: ConsumedMessage<unknown>;
  readonly reason: string;
  readonly errorClass: string;
}

/** A message before decoding: what a transport received. */
export type RawMessage = Omit<ConsumedMessage<unknown>, 'value'>;

export interface BatchProcessorDeps {
  readonly decode: MessageDecoder;
  /** Must resolve only once the dead letters are durable (DLQ topic acked, or stored by the host). */
  readonly deadLetter: (letters: readonly DeadLetter[]) => Promise<void>;
  /** Called after each contiguous prefix of the batch is done, with its last message: commit up to it. */
  readonly markDone: (last: RawMessage) => Promise<void>;
  readonly retry: RetryPolicy;
  readonly classify?: ErrorClassifier;
  readonly isStopping: () => boolean;
  /** Keeps group membership alive while a retry waits. */
  readonly heartbeat: () => Promise<void>;
  readonly metrics?: ConsumerMetrics;
  /** Longest single wait between heartbeats/stop checks while backing off. */
  readonly waitSliceMs?: number;
}

/**
 * Runs one partition's batch through a handler with the bus's delivery rules:
 * - undecodable messages are dead-lettered without reaching the handler;
 * - handler outcomes `dlq`/`drop` are applied per message;
 * - a thrown permanent error splits the batch in halves until the failing messages are alone, so good
 *   messages are never dead-lettered with a bad one (handlers must be idempotent: a half may be re-run);
 * - a thrown retriable error retries the same messages with exponential backoff, heartbeating, until it
 *   succeeds, the policy's attempts run out, or the consumer stops (then it throws, nothing more is marked).
 * Progress is marked done in order, so the committed offset never passes an unfinished message.
 */
export async function processBatch(
  topic: string,
  partition: number,
  raws: readonly RawMessage[],
  handler: BatchHandler<unknown>,
  deps: BatchProcessorDeps,
): Promise<void> {
  if (raws.length === 0) return;
  const classify = deps.classify ?? classifyError;
  const metrics = deps.metrics;

  // Decode first; runs of decodable messages go to the handler in order, failures are dead-lettered in place.
  let run: ConsumedMessage<unknown>[] = [];
  const flushRun = async (): Promise<void> => {
    if (run.length > 0) await processChunk(run);
    run = [];
  };

  const processChunk = async (chunk: ConsumedMessage<unknown>[]): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      let result: BatchResult;
      const started = process.hrtime.bigint();
      try {
        result = await handler(chunk);
      } catch (error) {
        metrics?.handlerDuration?.({ topic, partition, seconds: secondsSince(started) });
        if (classify(error) === 'permanent') {
          if (chunk.length === 1) {
            await deadLetterAndMark(chunk, [
              { message: chunk[0], reason: errorMessage(error), errorClass: errorClassName(error) },
            ]);
            return;
          }
          const middle = Math.ceil(chunk.length / 2);
          await processChunk(chunk.slice(0, middle));
          await processChunk(chunk.slice(middle));
          return;
        }
        if (deps.retry.maxAttempts !== undefined && attempt >= deps.retry.maxAttempts) throw error;
        if (deps.isStopping()) {
          throw new ShutdownInterruptedError(
            `stopping while retrying ${topic}[${partition}]: ${errorMessage(error)}`,
            {
              cause: error,
            },
          );
        }
        const delayMs = Math.min(deps.retry.maxDelayMs, deps.retry.initialDelayMs * 2 ** (attempt - 1));
        metrics?.retry?.({ topic, partition, attempt, errorClass: errorClassName(error), delayMs });
        await backoff(delayMs, deps);
        continue;
      }
      metrics?.handlerDuration?.({ topic, partition, seconds: secondsSince(started) });
      await applyResult(chunk, result);
      return;
    }
  };

  const applyResult = async (chunk: ConsumedMessage<unknown>[], result: BatchResult): Promise<void> => {
    if (result === undefined || result === null) {
      metrics?.messagesProcessed?.({ topic, partition, count: chunk.length });
      await deps.markDone(chunk[chunk.length - 1]);
      return;
    }
    const outcomes: readonly MessageOutcome[] = result.outcomes;
    if (!Array.isArray(outcomes) || outcomes.length !== chunk.length) {
      // A handler bug, not a data problem: retrying or dead-lettering cannot fix it, so stop loudly.
      throw new InvalidBatchResultError(
        `handler for ${topic} returned ${Array.isArray(outcomes) ? outcomes.length : 'no'} outcomes for ${chunk.length} messages`,
      );
    }
    const letters: DeadLetter[] = [];
    let processed = 0;
    chunk.forEach((message, index) => {
      const o = outcomes[index];
      if (o.type === 'dlq')
        letters.push({ message, reason: o.reason, errorClass: o.errorClass ?? 'HandlerRejected' });
      else if (o.type === 'drop') metrics?.dropped?.({ topic, reason: o.reason, count: 1 });
      else processed++;
    });
    if (processed > 0) metrics?.messagesProcessed?.({ topic, partition, count: processed });
    await deadLetterAndMark(chunk, letters);
  };

  const deadLetterAndMark = async (
    chunk: ConsumedMessage<unknown>[],
    letters: DeadLetter[],
  ): Promise<void> => {
    if (letters.length > 0) {
      await deps.deadLetter(letters);
      for (const letter of letters) {
        metrics?.deadLettered?.({ topic, reason: letter.reason, errorClass: letter.errorClass, count: 1 });
      }
    }
    await deps.markDone(chunk[chunk.length - 1]);
  };

  for (const raw of raws) {
    let value: unknown;
    try {
      value = deps.decode(topic, raw.raw.value);
    } catch (error) {
      await flushRun();
      const message: ConsumedMessage<unknown> = { ...raw, value: undefined };
      await deadLetterAndMark(
        [message],
        [{ message, reason: errorMessage(error), errorClass: errorClassName(error) }],
      );
      continue;
    }
    run.push({ ...raw, value });
  }
  await flushRun();
}

async function backoff(delayMs: number, deps: BatchProcessorDeps): Promise<void> {
  const slice = deps.waitSliceMs ?? 1000;
  const until = Date.now() + delayMs;
  while (Date.now() < until) {
    if (deps.isStopping()) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(slice, until - Date.now())));
    await deps.heartbeat();
  }
}

function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
