import { createHash } from 'node:crypto';
import { groupCommit } from '@app/bus/core/group-commit';
import { z } from 'zod';
import { toClickHouseDateTime64 } from './statement-row';
import type { JsonRow, Warehouse } from './warehouse.port';

/** The three document resources (Communication 2.3, 2.6, 2.7), as the `xapi_documents` table names them. */
export type DocumentResource = 'state' | 'activity_profile' | 'agent_profile';

/** Where documents live: key columns that do not apply to a resource are ''. */
export interface DocumentContext {
  readonly resource: DocumentResource;
  readonly activityId: string;
  /** Canonical actor key (libs/xapi actorKey). */
  readonly agentKey: string;
  /** Lower-case UUID, '' for none. */
  readonly registration: string;
}

export interface DocumentKey extends DocumentContext {
  readonly documentId: string;
}

export interface StoredDocument {
  readonly documentId: string;
  readonly content: Buffer;
  readonly contentType: string;
  /** Lower-case hex SHA-1 of content, unquoted. */
  readonly etag: string;
  /** ISO 8601, milliseconds, UTC. */
  readonly updated: string;
}

export interface DocumentSummary {
  readonly documentId: string;
  readonly registration: string;
  readonly updated: string;
}

const DocumentRowSchema = z.object({
  document_id: z.string(),
  content_base64: z.string(),
  content_type: z.string(),
  etag: z.string(),
  updated_ms: z.coerce.number(),
});
const SummaryRowSchema = z.object({
  document_id: z.string(),
  registration: z.string(),
  updated_ms: z.coerce.number(),
});
const CountSchema = z.object({ n: z.coerce.number() });

const CONTEXT_MATCH =
  'resource = {resource:String} AND activity_id = {activityId:String} AND agent_key = {agentKey:String}';

/** The hex SHA-1 of a document's octets: its ETag (Communication 3.1.s4.b2). */
export function documentEtag(content: Buffer): string {
  return createHash('sha1').update(content).digest('hex');
}

/**
 * Durable storage of xAPI documents in the warehouse (migrations/0015_documents.sql). Every write is one
 * fsynced INSERT of a new version; reads use FINAL, so they see the latest version and no tombstone. It
 * does no concurrency checks: the caller serialises read-check-write per key.
 */
export class DocumentStore {
  private lastVersion = 0;
  /**
   * Writes of different documents that arrive while an INSERT runs share the next one (group commit): an
   * INSERT costs a part and an fsync whatever its size, and a course player saves its state often.
   */
  private readonly insert = groupCommit(async (batches: JsonRow[][]) => {
    await this.warehouse.insertJsonEachRow('xapi_documents_input', batches.flat());
    return batches.map(() => undefined);
  });

  constructor(
    private readonly warehouse: Warehouse,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: DocumentKey): Promise<StoredDocument | undefined> {
    const rows = await this.warehouse.query(
      `SELECT document_id, base64Encode(content) AS content_base64, content_type, etag,
              toUnixTimestamp64Milli(updated) AS updated_ms
       FROM xapi_documents FINAL
       WHERE ${CONTEXT_MATCH} AND registration = {registration:String} AND document_id = {documentId:String}`,
      { ...key },
      DocumentRowSchema,
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      documentId: row.document_id,
      content: Buffer.from(row.content_base64, 'base64'),
      contentType: row.content_type,
      etag: row.etag,
      updated: new Date(row.updated_ms).toISOString(),
    };
  }

  /**
   * The documents of a context, oldest first; `since` (ISO 8601) keeps those updated after it (exclusive).
   * `registration` undefined: the documents of every registration, and of none (one id may then be listed
   * once per registration).
   */
  async list(
    context: Omit<DocumentContext, 'registration'> & { readonly registration?: string },
    since?: string,
  ): Promise<DocumentSummary[]> {
    const rows = await this.warehouse.query(
      `SELECT document_id, registration, toUnixTimestamp64Milli(updated) AS updated_ms
       FROM xapi_documents FINAL
       WHERE ${CONTEXT_MATCH}
         AND ({registration:Nullable(String)} IS NULL OR registration = {registration:Nullable(String)})
         AND ({since:Nullable(DateTime64(3, 'UTC'))} IS NULL OR updated > {since:Nullable(DateTime64(3, 'UTC'))})
       ORDER BY updated, document_id`,
      {
        resource: context.resource,
        activityId: context.activityId,
        agentKey: context.agentKey,
        registration: context.registration ?? null,
        since: since === undefined ? null : toClickHouseDateTime64(since),
      },
      SummaryRowSchema,
    );
    return rows.map((row) => ({
      documentId: row.document_id,
      registration: row.registration,
      updated: new Date(row.updated_ms).toISOString(),
    }));
  }

  /** Stores a new version of the document (replacing the old one); resolves once it is durable. */
  async put(key: DocumentKey, content: Buffer, contentType: string): Promise<StoredDocument> {
    const updatedMs = this.now();
    const etag = documentEtag(content);
    await this.insert([
      {
        ...this.keyColumns(key),
        content_base64: content.toString('base64'),
        content_type: contentType,
        etag,
        updated: toClickHouseDateTime64(new Date(updatedMs).toISOString()),
        version: this.nextVersion(updatedMs),
        deleted: 0,
      },
    ]);
    return {
      documentId: key.documentId,
      content,
      contentType,
      etag,
      updated: new Date(updatedMs).toISOString(),
    };
  }

  /** Deletes these documents (tombstones; one INSERT). Unknown ones are no error. */
  async delete(keys: readonly DocumentKey[]): Promise<void> {
    if (keys.length === 0) return;
    const updatedMs = this.now();
    await this.insert(
      keys.map((key) => ({
        ...this.keyColumns(key),
        content_base64: '',
        content_type: '',
        etag: '',
        updated: toClickHouseDateTime64(new Date(updatedMs).toISOString()),
        version: this.nextVersion(updatedMs),
        deleted: 1,
      })),
    );
  }

  /** Erasure: removes every version of every document stored for these agents. Returns how many were live. */
  async eraseAgents(agentKeys: readonly string[]): Promise<number> {
    if (agentKeys.length === 0) return 0;
    const params = { agentKeys: [...agentKeys] };
    const [{ n }] = await this.warehouse.query(
      'SELECT count() AS n FROM xapi_documents FINAL WHERE agent_key IN {agentKeys:Array(String)}',
      params,
      CountSchema,
    );
    await this.warehouse.command(
      'DELETE FROM xapi_documents WHERE agent_key IN {agentKeys:Array(String)}',
      params,
    );
    return n;
  }

  private keyColumns(key: DocumentKey): Record<string, string> {
    return {
      resource: key.resource,
      activity_id: key.activityId,
      agent_key: key.agentKey,
      registration: key.registration,
      document_id: key.documentId,
    };
  }

  /** Versions grow within this process even when the clock steps back (ReplacingMergeTree keeps the highest). */
  private nextVersion(updatedMs: number): number {
    this.lastVersion = Math.max(this.lastVersion + 1, updatedMs * 1000);
    return this.lastVersion;
  }
}
