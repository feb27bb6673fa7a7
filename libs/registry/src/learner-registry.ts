import type { MessageProducer } from '@app/bus';
import { encodeMessage, topics } from '@app/contracts';
import {
  LearnerDirectory,
  LearnerValidationError,
  importLearnersCsv,
  isTombstone,
  learnerIdSchema,
  stampLearner,
  toLearnerIssues,
  validateLearnerPutBody,
  type LearnerChange,
  type LearnerDraft,
  type LearnerIssue,
  type LearnerRecord,
  type LearnerTombstone,
  type RejectedLearnerRow,
} from '@app/enrichment';
import type { ReferenceIndex } from '@app/reference';
import type { Warehouse } from '@app/warehouse';
import { DimLearnersStore } from './dim-learners.store';

export interface LearnerRegistryOptions {
  readonly warehouse: Warehouse;
  /** Publishes the change feed `registry.learners.changed.v1` (Kafka, or the in-process bus). */
  readonly producer: MessageProducer;
  readonly reference: ReferenceIndex;
  readonly clock?: () => Date;
  /** Learners per INSERT and per producer send during a CSV import. */
  readonly importChunkSize?: number;
}

export interface LearnerImportReport {
  /** Rows stored and published. */
  readonly accepted: number;
  readonly rejected: readonly RejectedLearnerRow[];
  readonly ignoredColumns: readonly string[];
}

/**
 * Versions are microseconds since the epoch, and never below a learner's stored version + 1: they order
 * one process's writes exactly and stay monotonic across restarts (and roughly across processes, by clock).
 */
const VERSION_TICKS_PER_MS = 1000;

/**
 * The learner registry: validates learners against the reference data, stores them in `dim_learners`
 * (the durable store, read by enrichers at start) and publishes each write on the change feed, which
 * keeps running enrichers current. A write returns only after both the row and the message are durable.
 *
 * Order matters: the row is written first, so a store snapshot taken after a message was published always
 * contains it. If publishing fails the call fails (the row stays, the client retries with a new version).
 * Writes are serialised inside this process; across processes the clock-based version decides.
 */
export class LearnerRegistry {
  private readonly store: DimLearnersStore;
  private readonly clock: () => Date;
  private lastVersion = 0;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LearnerRegistryOptions) {
    this.store = new DimLearnersStore(options.warehouse);
    this.clock = options.clock ?? (() => new Date());
  }

  /** Creates or replaces a learner; throws LearnerValidationError with every issue (the id's as `id`). */
  async put(id: string, body: unknown): Promise<LearnerRecord> {
    const parsedId = learnerIdSchema.safeParse(id);
    const validation = validateLearnerPutBody(body, this.options.reference);
    const issues: LearnerIssue[] = [
      ...(parsedId.success
        ? []
        : toLearnerIssues(parsedId.error, id).map((issue) => ({ ...issue, field: 'id' }))),
      ...(validation.ok ? [] : validation.issues),
    ];
    if (!parsedId.success || !validation.ok) throw new LearnerValidationError(issues);
    const [record] = await this.putMany([{ id: parsedId.data, ...validation.value }]);
    return record;
  }

  /** Stores already validated drafts (one INSERT, one send); returns the stamped records in order. */
  async putMany(drafts: readonly LearnerDraft[]): Promise<LearnerRecord[]> {
    if (drafts.length === 0) return [];
    return this.serialised(async () => {
      const versions = await this.nextVersions(drafts.map((draft) => draft.id));
      const updatedAt = this.clock().toISOString();
      const records = drafts.map((draft, index) => stampLearner(draft, versions[index], updatedAt));
      await this.persist(records);
      return records;
    });
  }

  /**
   * PIPL erasure of the registry entry: writes a tombstone, publishes it, and removes the older rows.
   * Returns undefined for an id never registered; an erased learner's tombstone is returned unchanged.
   * The learner's statements are not touched here (erasing them from `statements` is a separate job).
   */
  async delete(id: string): Promise<LearnerTombstone | undefined> {
    const parsedId = learnerIdSchema.safeParse(id);
    if (!parsedId.success) {
      throw new LearnerValidationError(
        toLearnerIssues(parsedId.error, id).map((issue) => ({ ...issue, field: 'id' })),
      );
    }
    return this.serialised(async () => {
      const current = await this.store.find(parsedId.data);
      if (current === undefined) return undefined;
      if (isTombstone(current)) return current;
      const [version] = await this.nextVersions([parsedId.data]);
      const tombstone: LearnerTombstone = {
        id: parsedId.data,
        deleted: true,
        version,
        deletedAt: this.clock().toISOString(),
      };
      await this.persist([tombstone]);
      await this.store.purgeBefore(tombstone.id, tombstone.version);
      return tombstone;
    });
  }

  /**
   * Imports a registry CSV (see @app/enrichment importLearnersCsv): stores the accepted rows and reports
   * the rejected ones with their line numbers. Throws LearnerCsvError when the file cannot be read at all.
   */
  async importCsv(text: string): Promise<LearnerImportReport> {
    const parsed = importLearnersCsv(text, this.options.reference);
    const drafts = parsed.accepted.map((row) => row.learner);
    const chunk = this.options.importChunkSize ?? 1000;
    for (let start = 0; start < drafts.length; start += chunk) {
      await this.putMany(drafts.slice(start, start + chunk));
    }
    return { accepted: drafts.length, rejected: parsed.rejected, ignoredColumns: parsed.ignoredColumns };
  }

  /** The learner, or undefined when unknown or erased. */
  async get(id: string): Promise<LearnerRecord | undefined> {
    const parsedId = learnerIdSchema.safeParse(id);
    if (!parsedId.success) return undefined;
    const change = await this.store.find(parsedId.data);
    return change === undefined || isTombstone(change) ? undefined : change;
  }

  /** A directory of every stored learner and tombstone, for an enricher starting up. */
  async loadDirectory(): Promise<LearnerDirectory> {
    return LearnerDirectory.from(await this.store.loadAll());
  }

  private async persist(changes: readonly LearnerChange[]): Promise<void> {
    await this.store.write(changes);
    const messages = changes.map((change) =>
      encodeMessage(topics.learnersChanged, { key: change.id, value: change }),
    );
    await this.options.producer.send(topics.learnersChanged.name, messages);
  }

  /** One version per id, in order; every version is above the stored one and above every earlier one. */
  private async nextVersions(ids: readonly string[]): Promise<number[]> {
    const stored = await this.store.latestVersions(ids);
    const floor = this.clock().getTime() * VERSION_TICKS_PER_MS;
    return ids.map((id) => {
      this.lastVersion = Math.max(this.lastVersion, floor, stored.get(id) ?? 0) + 1;
      return this.lastVersion;
    });
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/** Reads a store snapshot without a registry (an enricher has no producer for the change feed). */
export async function loadLearnerDirectory(warehouse: Warehouse): Promise<LearnerDirectory> {
  return LearnerDirectory.from(await new DimLearnersStore(warehouse).loadAll());
}
