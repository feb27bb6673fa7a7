import { createHash } from 'node:crypto';
import { z } from 'zod';
import { WarehouseDataError } from './warehouse-errors';
import type { Warehouse } from './warehouse.port';

/** Attachment data as the `attachments` table holds it (migrations/0010_attachments.sql). */
export interface AttachmentContent {
  /** Hex SHA-2 (224, 256, 384 or 512 bits) of content; stored and answered in lower case. */
  readonly sha2: string;
  readonly contentType: string;
  readonly content: Buffer;
}

const HASH_BY_HEX_LENGTH: Readonly<Record<number, string>> = {
  56: 'sha224',
  64: 'sha256',
  96: 'sha384',
  128: 'sha512',
};
const LOAD_CHUNK = 200;

function checkedSha2(attachment: AttachmentContent): string {
  const sha2 = attachment.sha2.toLowerCase();
  const algorithm = HASH_BY_HEX_LENGTH[sha2.length];
  // A wrong key would make the data unreachable, or serve it for another hash: refuse it here too.
  if (algorithm === undefined || createHash(algorithm).update(attachment.content).digest('hex') !== sha2) {
    throw new WarehouseDataError(`attachment content does not hash to its sha2 ${attachment.sha2}`);
  }
  return sha2;
}

/**
 * Writes attachment data durably (one fsynced INSERT); resolves only when it is stored. Content-addressed:
 * storing the same sha2 again is harmless. Throws WarehouseDataError when a content does not match its sha2.
 */
export async function storeAttachments(
  warehouse: Warehouse,
  attachments: readonly AttachmentContent[],
): Promise<void> {
  const seen = new Set<string>();
  const rows: Record<string, unknown>[] = [];
  for (const attachment of attachments) {
    const sha2 = checkedSha2(attachment);
    if (seen.has(sha2)) continue;
    seen.add(sha2);
    rows.push({
      sha2,
      content_type: attachment.contentType,
      length: attachment.content.length,
      content_base64: attachment.content.toString('base64'),
    });
  }
  if (rows.length === 0) return;
  await warehouse.insertJsonEachRow('attachments_input', rows);
}

const AttachmentRowSchema = z.object({
  sha2: z.string(),
  content_type: z.string(),
  content_base64: z.string(),
});

/** The stored attachments with these sha2s (any case), keyed by lower-case sha2; unknown ones are absent. */
export async function loadAttachments(
  warehouse: Warehouse,
  sha2s: readonly string[],
): Promise<Map<string, AttachmentContent>> {
  const unique = [...new Set(sha2s.map((s) => s.toLowerCase()))];
  const found = new Map<string, AttachmentContent>();
  for (let start = 0; start < unique.length; start += LOAD_CHUNK) {
    const rows = await warehouse.query(
      `SELECT sha2, content_type, base64Encode(content) AS content_base64
       FROM attachments WHERE sha2 IN {sha2s:Array(String)}
       ORDER BY stored_at DESC LIMIT 1 BY sha2`,
      { sha2s: unique.slice(start, start + LOAD_CHUNK) },
      AttachmentRowSchema,
    );
    for (const row of rows) {
      found.set(row.sha2, {
        sha2: row.sha2,
        contentType: row.content_type,
        content: Buffer.from(row.content_base64, 'base64'),
      });
    }
  }
  return found;
}
