import { findExistingIds, readConsistentThrough, type Warehouse } from '@app/warehouse';

/**
 * What the read side knows about statements acknowledged but maybe not yet readable, for the
 * X-Experience-API-Consistent-Through header (Communication 2.1.3.s2.b5) and for read-your-writes.
 */
export interface ReadConsistency {
  /** Statements this process acknowledged just now (StatementIngest's onAccepted). */
  accepted(statements: readonly { id: string; stored: string }[]): void;
  /**
   * Waits, for a bounded time, until every statement acknowledged before the call is readable, then
   * returns the ISO 8601 time through which all statements are readable.
   */
  settle(): Promise<string>;
  /** The same after one look at the warehouse, without waiting (error answers of a read carry it too). */
  checked(): Promise<string>;
  /** The same from memory only, without asking the warehouse (write answers). */
  current(): string;
}

/**
 * The in-process bus acknowledges a statement only after ClickHouse stored it: everything acknowledged is
 * readable, so the answer is "now".
 */
export class AcknowledgedIsStored implements ReadConsistency {
  constructor(private readonly now: () => Date = () => new Date()) {}

  accepted(): void {}

  async settle(): Promise<string> {
    return this.current();
  }

  async checked(): Promise<string> {
    return this.current();
  }

  current(): string {
    return this.now().toISOString();
  }
}

export interface PendingStatementsOptions {
  /** Longest a read waits for this process's acknowledged statements to become readable (default 5 s). */
  readonly maxWaitMs?: number;
  /** Pause between checks while waiting (default 50 ms). */
  readonly pollMs?: number;
  /** A statement not readable after this long is given up on (e.g. dead-lettered); default 60 s. */
  readonly giveUpAfterMs?: number;
  /**
   * Other writers' progress, e.g. the sink's watermarks (readConsistentThrough) in the distributed mode;
   * null while unknown. The answer is the earlier of this and what this process knows.
   */
  readonly watermark?: () => Promise<string | null>;
  readonly now?: () => Date;
}

const RECOMPUTE_EVERY_MS = 1_000;

/**
 * Kafka mode: a statement is acknowledged once Kafka has it, and readable once the sink wrote it. This
 * keeps the ids this process acknowledged until the warehouse has them (checked by id, bloom-filter
 * index). A read first waits, up to maxWaitMs, for the statements acknowledged before it (a client that
 * just wrote reads its own writes); Consistent-Through is just before the oldest still missing, or now.
 */
export class PendingStatements implements ReadConsistency {
  // Insertion order is acknowledgement order, so the front holds the longest-waiting ids.
  private readonly pending = new Map<string, { stored: number; since: number }>();
  // At most the earliest `stored` among pending ids (undefined: none pending). When ids leave it stays as
  // it was, a bound that is still safe (Consistent-Through only earlier), and is recomputed by a scan at most
  // once per RECOMPUTE_EVERY_MS on write answers (they must not pay a scan each) and on every read.
  private oldestStored: number | undefined;
  private oldestIsStale = false;
  private recomputeAfter = 0;
  private refreshing: Promise<void> | undefined;
  private readonly maxWaitMs: number;
  private readonly pollMs: number;
  private readonly giveUpAfterMs: number;
  private readonly now: () => Date;
  private lastWatermark: string | null = null;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly options: PendingStatementsOptions = {},
  ) {
    this.maxWaitMs = options.maxWaitMs ?? 5_000;
    this.pollMs = options.pollMs ?? 50;
    this.giveUpAfterMs = options.giveUpAfterMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
  }

  /** How many acknowledged statements are not known to be readable yet. */
  get size(): number {
    return this.pending.size;
  }

  accepted(statements: readonly { id: string; stored: string }[]): void {
    const since = this.now().getTime();
    for (const s of statements) {
      const stored = Date.parse(s.stored);
      this.pending.set(s.id.toLowerCase(), { stored, since });
      if (this.oldestStored === undefined || stored < this.oldestStored) this.oldestStored = stored;
    }
    this.dropGivenUp(since);
  }

  async settle(): Promise<string> {
    const waitFor = new Set(this.pending.keys());
    const deadline = this.now().getTime() + this.maxWaitMs;
    while (waitFor.size > 0) {
      await this.refresh();
      for (const id of waitFor) if (!this.pending.has(id)) waitFor.delete(id);
      if (waitFor.size === 0 || this.now().getTime() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
    if (this.options.watermark) this.lastWatermark = await this.options.watermark();
    return this.current(true);
  }

  async checked(): Promise<string> {
    await this.refresh();
    return this.current(true);
  }

  /** `exact`: recompute the oldest pending statement now (reads); otherwise a bound at most 1 s stale. */
  current(exact = false): string {
    const local = this.localConsistentThrough(exact);
    const watermark = this.lastWatermark;
    return watermark !== null && Date.parse(watermark) < Date.parse(local) ? watermark : local;
  }

  private localConsistentThrough(exact: boolean): string {
    const nowMs = this.now().getTime();
    if (this.pending.size === 0) return new Date(nowMs).toISOString();
    if (this.oldestStored === undefined || (this.oldestIsStale && (exact || nowMs >= this.recomputeAfter))) {
      let oldest = Infinity;
      for (const { stored } of this.pending.values()) if (stored < oldest) oldest = stored;
      this.oldestStored = oldest;
      this.oldestIsStale = false;
      this.recomputeAfter = nowMs + RECOMPUTE_EVERY_MS;
    }
    // Everything stored before the oldest missing statement is readable.
    return new Date(this.oldestStored - 1).toISOString();
  }

  /**
   * Forgets ids acknowledged longer than giveUpAfterMs ago (dead-lettered, or simply never read about), so
   * a gateway that only takes writes keeps at most that window in memory. From the front: oldest first.
   */
  private dropGivenUp(nowMs: number): void {
    const giveUpBefore = nowMs - this.giveUpAfterMs;
    for (const [id, entry] of this.pending) {
      if (entry.since >= giveUpBefore) break;
      this.forget(id);
    }
  }

  private forget(id: string): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.oldestStored = undefined;
    else this.oldestIsStale = true;
  }

  /** One warehouse check at a time, shared by concurrent reads. */
  private refresh(): Promise<void> {
    this.refreshing ??= this.check().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async check(): Promise<void> {
    if (this.pending.size === 0) return;
    const ids = [...this.pending.keys()];
    const readable = await findExistingIds(this.warehouse, ids);
    for (const id of ids) {
      if (readable.has(id)) this.forget(id);
    }
    this.dropGivenUp(this.now().getTime());
  }
}

/**
 * The sink's progress as PendingStatements' `watermark`: the minimum over the enriched topic's partitions
 * of what the sink has durably written (readConsistentThrough); null until every partition has a mark.
 */
export function sinkWatermark(
  warehouse: Warehouse,
  options: { consumerGroup: string; topic: string; partitions: number },
): () => Promise<string | null> {
  return () => readConsistentThrough(warehouse, options.consumerGroup, options.topic, options.partitions);
}
