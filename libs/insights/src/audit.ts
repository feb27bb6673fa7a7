import { randomUUID } from 'node:crypto';

import type { Warehouse } from '@app/warehouse';
import { z } from 'zod';

export const AUDIT_ACTIONS = [
  'metrics.engagement',
  'metrics.skills',
  'metrics.balance',
  'study.create',
  'extract.create',
  'extract.download',
  'learner.erase',
  'audit.read',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  readonly principal: string;
  readonly action: AuditAction;
  readonly target: string;
  readonly parameters: unknown;
  /** `ok`, or the error's class name. */
  readonly outcome: string;
  readonly rowCount: number;
  readonly suppressedCells: number;
}

export interface AuditRecord extends AuditEntry {
  readonly auditId: string;
  readonly at: string;
}

const AuditRowSchema = z.object({
  at_text: z.string(),
  audit_id: z.string(),
  principal: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  target: z.string(),
  parameters: z.string(),
  outcome: z.string(),
  row_count: z.coerce.number(),
  suppressed_cells: z.coerce.number(),
});

export interface AuditQuery {
  readonly since?: string;
  readonly principal?: string;
  readonly action?: AuditAction;
  readonly limit?: number;
}

/** The research audit log (`research_audit`, migration 0011): one durable row per call, written before the answer. */
export class AuditLog {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async record(entry: AuditEntry): Promise<AuditRecord> {
    const record: AuditRecord = { ...entry, auditId: randomUUID(), at: this.clock().toISOString() };
    await this.warehouse.insertJsonEachRow('research_audit', [
      {
        at: record.at,
        audit_id: record.auditId,
        principal: record.principal,
        action: record.action,
        target: record.target,
        parameters: JSON.stringify(record.parameters ?? null),
        outcome: record.outcome,
        row_count: record.rowCount,
        suppressed_cells: record.suppressedCells,
      },
    ]);
    return record;
  }

  /** Newest first. */
  async read(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const rows = await this.warehouse.query(
      `SELECT toString(at) AS at_text, audit_id, toString(principal) AS principal, toString(action) AS action, target,
              parameters, toString(outcome) AS outcome, row_count, suppressed_cells
       FROM research_audit
       WHERE at >= parseDateTime64BestEffort({since:String}, 3, 'UTC')
         AND ({principal:String} = '' OR principal = {principal:String})
         AND ({action:String} = '' OR action = {action:String})
       ORDER BY at DESC, audit_id DESC
       LIMIT {limit:UInt32}`,
      {
        since: query.since ?? '1970-01-01T00:00:00Z',
        principal: query.principal ?? '',
        action: query.action ?? '',
        limit: query.limit ?? 1000,
      },
      AuditRowSchema,
    );
    return rows.map((row) => ({
      auditId: row.audit_id,
      at: `${row.at_text.replace(' ', 'T')}Z`,
      principal: row.principal,
      action: row.action,
      target: row.target,
      parameters: JSON.parse(row.parameters) as unknown,
      outcome: row.outcome,
      rowCount: row.row_count,
      suppressedCells: row.suppressed_cells,
    }));
  }
}
