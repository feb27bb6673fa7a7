import { isTombstone, type LearnerChange, type LearnerRecord } from './learner.schema';
import { REGISTRY_LEARNER_HOME_PAGE } from './learner.schema';

const REGISTRY_ACCOUNT_PREFIX = `account:${REGISTRY_LEARNER_HOME_PAGE}|`;

/** What apply() did, for metrics and tests. */
export type ApplyOutcome = 'created' | 'updated' | 'deleted' | 'stale';

interface Entry {
  readonly version: number;
  /** Undefined for a tombstone: an erased learner keeps only its id and version. */
  readonly record: LearnerRecord | undefined;
}

/**
 * In-memory index actor key → learner, fed by the registry's change feed (or a snapshot of it).
 *
 * - Per learner, last writer wins by `version`; a change with a version not above the one held is
 *   ignored (`stale`), so redelivery and reordering within a learner are harmless.
 * - A tombstone removes the learner and every identity it held; its version is remembered so that an
 *   older upsert arriving late cannot bring the learner back (PIPL erasure).
 * - An identity claimed by two learners (it moved, and the old owner's change is not here yet, or is
 *   on another partition) belongs to the claim written last (`updatedAt`, then `version`, then id, so
 *   the result does not depend on the order changes arrive in). If the winner later drops the identity
 *   or is erased, the identity falls back to the other learner that still lists it.
 *
 * Lookups are one Map access.
 */
export class LearnerDirectory {
  private readonly entries = new Map<string, Entry>();
  /** Resolved owner per actor key. */
  private readonly owners = new Map<string, LearnerRecord>();
  /** Every live learner listing a key; more than one only while an identity is moving. */
  private readonly claimants = new Map<string, Set<string>>();
  private live = 0;

  static from(changes: Iterable<LearnerChange>): LearnerDirectory {
    const directory = new LearnerDirectory();
    for (const change of changes) directory.apply(change);
    return directory;
  }

  apply(change: LearnerChange): ApplyOutcome {
    const current = this.entries.get(change.id);
    if (current !== undefined && change.version <= current.version) return 'stale';
    const previous = current?.record;
    const next = isTombstone(change) ? undefined : change;
    this.entries.set(change.id, { version: change.version, record: next });
    this.live += (next === undefined ? 0 : 1) - (previous === undefined ? 0 : 1);

    const touched = new Set<string>();
    if (previous !== undefined) {
      for (const key of previous.identities) {
        this.claimants.get(key)?.delete(change.id);
        touched.add(key);
      }
    }
    if (next !== undefined) {
      for (const key of next.identities) {
        let set = this.claimants.get(key);
        if (set === undefined) this.claimants.set(key, (set = new Set()));
        set.add(change.id);
        touched.add(key);
      }
    }
    for (const key of touched) this.resolve(key);

    if (next === undefined) return 'deleted';
    return previous === undefined ? 'created' : 'updated';
  }

  applyAll(changes: Iterable<LearnerChange>): void {
    for (const change of changes) this.apply(change);
  }

  /** The learner an xAPI actor key belongs to, or undefined for an unknown (or erased) learner. */
  /**
   * The learner an actor key belongs to: one of the identities a record lists, or the registry's own
   * account for the learner (`account:<REGISTRY_LEARNER_HOME_PAGE>|<learner id>`), which is how classroom
   * attendance sheets name learners.
   */
  findByActorKey(actorKey: string): LearnerRecord | undefined {
    const owner = this.owners.get(actorKey);
    if (owner !== undefined) return owner;
    return actorKey.startsWith(REGISTRY_ACCOUNT_PREFIX)
      ? this.findById(actorKey.slice(REGISTRY_ACCOUNT_PREFIX.length))
      : undefined;
  }

  findById(learnerId: string): LearnerRecord | undefined {
    return this.entries.get(learnerId)?.record;
  }

  /** The highest version applied for a learner (also after erasure), or undefined if never seen. */
  versionOf(learnerId: string): number | undefined {
    return this.entries.get(learnerId)?.version;
  }

  isErased(learnerId: string): boolean {
    const entry = this.entries.get(learnerId);
    return entry !== undefined && entry.record === undefined;
  }

  /** Number of live learners. */
  get size(): number {
    return this.live;
  }

  /** Number of distinct actor keys that resolve to a learner. */
  get identityCount(): number {
    return this.owners.size;
  }

  *learners(): IterableIterator<LearnerRecord> {
    for (const entry of this.entries.values()) if (entry.record !== undefined) yield entry.record;
  }

  private resolve(key: string): void {
    const ids = this.claimants.get(key);
    let winner: LearnerRecord | undefined;
    if (ids !== undefined) {
      for (const id of ids) {
        const record = this.entries.get(id)?.record;
        if (record !== undefined && (winner === undefined || writtenLater(record, winner))) winner = record;
      }
      if (ids.size === 0) this.claimants.delete(key);
    }
    if (winner === undefined) this.owners.delete(key);
    else this.owners.set(key, winner);
  }
}

function writtenLater(a: LearnerRecord, b: LearnerRecord): boolean {
  // ISO strings with offsets do not sort as text; compare instants.
  const at = Date.parse(a.updatedAt);
  const bt = Date.parse(b.updatedAt);
  if (at !== bt) return at > bt;
  if (a.version !== b.version) return a.version > b.version;
  return a.id > b.id;
}
