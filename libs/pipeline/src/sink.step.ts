import type {
  BatchHandler,
  BatchHandlerContext,
  BatchResult,
  ConsumedMessage,
  MessageOutcome,
} from '@app/bus';
import { MembershipLostError, errorMessage, groupCommit, outcome } from '@app/bus';
import type { EnrichedStatementValue } from '@app/contracts';
import type { JsonLogger, PipelineMetrics } from '@app/observability';
import {
  StatementRowWriter,
  advanceWatermarks,
  queueVoidedRecount,
  recountVoidedStatements,
  type RejectedRow,
  type StatementRow,
  type StatementRowInput,
  type Warehouse,
  type Watermark,
} from '@app/warehouse';

import { StatementMappingError, toStatementRow } from './statement-row.mapper';

export interface SinkStepOptions {
  warehouse: Warehouse;
  /** Names the watermark rows; the read side asks for the same group's watermarks. */
  consumerGroup: string;
  metrics?: PipelineMetrics;
  /**
   * Record per-partition watermarks (default true). They tell the read side how far Kafka consumption is
   * durable; the in-process bus writes before it acknowledges, so there everything acknowledged is durable.
   */
  recordWatermarks?: boolean;
  /**
   * An INSERT starts no sooner than this after the previous one (default 0). Every INSERT into
   * `statements` fires the materialized views and writes a part per table, tens of milliseconds of CPU
   * whatever its size, so when nothing waits for the insert (Kafka: the gateway acknowledged already)
   * gathering a few hundred milliseconds of batches into one INSERT frees most of that CPU.
   */
  minInsertIntervalMs?: number;
  /**
   * Take voided statements out of the aggregates (recountVoidedStatements) in this sink's commit queue, at
   * most this often (a timer keeps it going when no statements arrive). Undefined: never, as with several
   * sinks writing one store (the recount is exact only with a single writer). Only when this is set does
   * the step queue the targets of the voiding statements it writes.
   */
  recountVoided?: {
    readonly everyMs: number;
    /** Stops the timer (the host's shutdown). */
    readonly signal?: AbortSignal;
    /** A failed recount keeps its queue and is tried again next time; the host logs it. */
    readonly onError?: (error: unknown) => void;
  };
}

/** The `recountVoided` option as a host sets it from its config: off at 0; a failure logged as a warning. */
export function voidedRecountOption(
  everyMs: number,
  signal: AbortSignal,
  logger: JsonLogger,
): SinkStepOptions['recountVoided'] {
  if (everyMs <= 0) return undefined;
  return {
    everyMs,
    signal,
    onError: (error) =>
      logger.event('warn', 'recounting voided statements failed; they stay queued', {
        error: error instanceof Error ? error.message : String(error),
      }),
  };
}

/** What one batch hands to the shared commit: its rows, the watermarks they advance, its consumer. */
interface SinkWrite {
  rows: StatementRowInput[];
  watermarks: Watermark[];
  context?: BatchHandlerContext;
}

/**
 * The sink's batch handler: maps enriched messages to rows, skips statement ids already stored, inserts the
 * rest (split only to isolate rows ClickHouse refuses) and then records each partition's watermark. It
 * returns only after the insert was acknowledged, so the transport commits offsets (or the in-process bus
 * acknowledges) only for durable rows. Batches of several partitions handled at the same time share one
 * INSERT (group commit). Warehouse trouble that may pass is thrown, and the transport retries the batch;
 * rows that did land are then skipped as duplicates. With `recountVoided`, voided statements are taken out
 * of the aggregates in the same queue (see the option).
 */
export function createSinkStep(options: SinkStepOptions): BatchHandler<EnrichedStatementValue> {
  const writer = new StatementRowWriter(options.warehouse);
  const { metrics } = options;

  const recount = options.recountVoided;
  let recountDueAt = 0;

  const write = groupCommit(
    async (writes: SinkWrite[]): Promise<RejectedRow<StatementRow>[][]> => {
      const rows = writes.flatMap((w) => w.rows);
      if (recount !== undefined) {
        // Queued before the INSERT: a crash in between leaves a harmless recount, never a missed one.
        await queueVoidedRecount(
          options.warehouse,
          rows.flatMap((row) => (row.voiding_target ? [String(row.voiding_target)] : [])),
        );
      }
      const rejected = rows.length > 0 ? await insert(writes, rows) : writes.map(() => []);
      if (recount !== undefined && performance.now() >= recountDueAt) {
        recountDueAt = performance.now() + recount.everyMs;
        // Between this sink's inserts (the commit queue), so no insert of its own is lost by the swap.
        await recountVoidedStatements(options.warehouse).catch((error: unknown) => recount.onError?.(error));
      }
      return rejected;
    },
    { minIntervalMs: options.minInsertIntervalMs },
  );

  if (recount !== undefined) {
    // An empty commit now and then, so queued voidings are recounted when no statements arrive (within
    // 1.5 × everyMs of the last recount).
    const timer = setInterval(
      () => void write({ rows: [], watermarks: [] }).catch((error: unknown) => recount.onError?.(error)),
      Math.max(1, recount.everyMs / 2),
    );
    timer.unref();
    recount.signal?.addEventListener('abort', () => clearInterval(timer), { once: true });
  }

  async function insert(
    writes: SinkWrite[],
    rows: StatementRowInput[],
  ): Promise<RejectedRow<StatementRow>[][]> {
    const started = process.hrtime.bigint();
    const written = await writer.writeNewStatements(rows, {
      beforeInsert: () => confirmMembership(writes),
    });
    metrics?.insertLatency.observe({ table: 'statements' }, Number(process.hrtime.bigint() - started) / 1e9);
    metrics?.rowsWritten.inc({ table: 'statements' }, written.inserted);
    metrics?.duplicatesSkipped.inc({ table: 'statements' }, written.duplicates.length);
    if (options.recordWatermarks ?? true) {
      await advanceWatermarks(
        options.warehouse,
        writes.flatMap((w) => w.watermarks),
      );
    }
    // Hand each batch its own rejected rows, with indexes into its own rows.
    let offset = 0;
    return writes.map((w) => {
      const from = offset;
      offset += w.rows.length;
      return written.rejected
        .filter((r) => r.index >= from && r.index < offset)
        .map((r) => ({ ...r, index: r.index - from }));
    });
  }

  return async (
    messages: ConsumedMessage<EnrichedStatementValue>[],
    context?: BatchHandlerContext,
  ): Promise<BatchResult> => {
    const outcomes: MessageOutcome[] = messages.map(() => outcome.ok());
    const rows: StatementRowInput[] = [];
    const rowMessage: number[] = [];
    messages.forEach((message, index) => {
      try {
        rows.push(toStatementRow(message));
        rowMessage.push(index);
      } catch (error) {
        if (!(error instanceof StatementMappingError)) throw error;
        outcomes[index] = outcome.dlq(error.message, error.name);
      }
    });

    const rejected = await write({
      rows,
      watermarks: watermarksOf(options.consumerGroup, messages, rows, rowMessage),
      context,
    });
    for (const row of rejected) {
      outcomes[rowMessage[row.index]] = outcome.dlq(
        `statements row refused (${row.reason}): ${row.error.message}`,
        row.error.name,
      );
    }
    return { outcomes };
  };
}

/**
 * The fence against a zombie writer. A sink that stalled (GC, a slow disk, a paused VM) longer than the
 * session timeout after looking up stored ids has lost its partitions: the new owner may have read the same
 * batch, found the same ids missing and inserted them. Inserting them again would count them twice in every
 * materialized view. So right before the INSERT each batch's consumer proves it is still in its group (a
 * heartbeat round trip once the heartbeat interval has passed; a heartbeat less than one interval ago
 * proves a session that lasts at least the session timeout minus that interval, 27 s by default, which
 * bounds how long the INSERT may take). If not, nothing is written and the batch goes back to the transport.
 */
async function confirmMembership(writes: readonly SinkWrite[]): Promise<void> {
  try {
    await Promise.all(writes.map((write) => write.context?.heartbeat()));
  } catch (error) {
    throw new MembershipLostError(
      `this sink may have lost its partitions (${errorMessage(error)}); nothing written, the batch is left to their owner`,
      { cause: error },
    );
  }
}

/** Per partition, the latest `stored` among the batch's rows (durable once written) and the next offset. */
function watermarksOf(
  consumerGroup: string,
  messages: ConsumedMessage<EnrichedStatementValue>[],
  rows: StatementRowInput[],
  rowMessage: number[],
): Watermark[] {
  const latest = new Map<string, { topic: string; partition: number; stored: string; offset: bigint }>();
  rows.forEach((row, i) => {
    const message = messages[rowMessage[i]];
    const key = `${message.topic}\u0000${message.partition}`;
    const offset = BigInt(message.offset) + 1n;
    const current = latest.get(key);
    if (!current) {
      latest.set(key, { topic: message.topic, partition: message.partition, stored: row.stored, offset });
    } else {
      if (row.stored > current.stored) current.stored = row.stored;
      if (offset > current.offset) current.offset = offset;
    }
  });
  return [...latest.values()].map((mark) => ({
    consumerGroup,
    topic: mark.topic,
    partition: mark.partition,
    storedThrough: mark.stored,
    offset: mark.offset.toString(),
  }));
}
