import { z } from 'zod';
import { BadRequestError } from '../errors';
import type { StatementFormat, StatementQueryFilter } from './statement-params';

/**
 * Everything the next page of a statement query needs, carried in the `more` link itself (no server
 * state, so any gateway instance can serve it and it never expires). `storedAtMost` pins the query to the
 * statements stored when the first page was asked for, so statements arriving later neither shift nor
 * repeat entries; `after` is the (stored, id) of the last statement returned.
 */
export interface MoreCursor {
  readonly filter: StatementQueryFilter;
  readonly format: StatementFormat;
  readonly attachments: boolean;
  readonly ascending: boolean;
  /** Page size (already capped to the server's maximum). */
  readonly limit: number;
  /** ClickHouse DateTime64(6) UTC text: stored upper bound, inclusive. */
  readonly storedAtMost: string;
  readonly after: { readonly stored: string; readonly id: string };
}

const DateTime64 = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);

const CursorSchema = z.strictObject({
  v: z.literal(1),
  f: z.strictObject({
    agentKey: z.string().optional(),
    relatedAgents: z.boolean().optional(),
    verb: z.string().optional(),
    activity: z.string().optional(),
    relatedActivities: z.boolean().optional(),
    registration: z.string().optional(),
    since: z.string().optional(),
    until: z.string().optional(),
  }),
  fmt: z.enum(['ids', 'exact', 'canonical']),
  att: z.boolean(),
  asc: z.boolean(),
  n: z.number().int().positive(),
  b: DateTime64,
  s: DateTime64,
  i: z.guid(),
});

/** Opaque URL-safe text (base64url of a small JSON document). */
export function encodeMoreCursor(cursor: MoreCursor): string {
  const document: z.input<typeof CursorSchema> = {
    v: 1,
    f: { ...cursor.filter },
    fmt: cursor.format,
    att: cursor.attachments,
    asc: cursor.ascending,
    n: cursor.limit,
    b: cursor.storedAtMost,
    s: cursor.after.stored,
    i: cursor.after.id,
  };
  return Buffer.from(JSON.stringify(document), 'utf8').toString('base64url');
}

/** Throws BadRequestError (400) for a token this server did not make. */
export function decodeMoreCursor(token: string): MoreCursor {
  let json: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error('not base64url');
    json = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new BadRequestError('the more link is malformed');
  }
  const parsed = CursorSchema.safeParse(json);
  if (!parsed.success) throw new BadRequestError('the more link is malformed');
  const c = parsed.data;
  return {
    filter: c.f,
    format: c.fmt,
    attachments: c.att,
    ascending: c.asc,
    limit: c.n,
    storedAtMost: c.b,
    after: { stored: c.s, id: c.i },
  };
}
