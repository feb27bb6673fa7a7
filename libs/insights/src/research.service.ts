import type { LearnerRegistry } from '@app/registry';
import type { Warehouse } from '@app/warehouse';
import { z } from 'zod';

import { AUDIT_ACTIONS, AuditLog, type AuditAction, type AuditRecord } from './audit';
import { runBalance, type BalanceResult } from './balance';
import { eraseLearner, type ErasureReport } from './erasure';
import { ResearchRequestError } from './errors';
import { parseMetricQuery, runMetric, type MetricName, type MetricResult } from './metrics';
import { closedThroughAt } from './periods';
import type { Researcher } from './research-credentials';
import { StudyService, type Extract, type ExtractData, type Study } from './studies';

export interface ResearchServiceOptions {
  readonly warehouse: Warehouse;
  /** k: the fewest distinct learners a published cell may hold (default 10). */
  readonly minCellLearners?: number;
  /** The sink's consistent-through instant (ISO 8601), or null when nothing can be promised yet. */
  readonly consistentThrough: () => Promise<string | null>;
  /**
   * Whole days after its end before a period is published (default 2): late statements have that long to
   * arrive, and the period's numbers then stay put.
   */
  readonly closeAfterDays?: number;
  /** Needed for PIPL erasure (the registry entry goes too); without it the erasure route answers 501. */
  readonly registry?: LearnerRegistry;
  readonly clock?: () => Date;
}

const AuditQuerySchema = z.strictObject({
  since: z.iso.datetime({ offset: true }).optional(),
  principal: z.string().min(1).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

/**
 * The research API's operations. Each one that reads or changes data is written to the audit log (who,
 * when, what, parameters, rows, suppressed cells) before its answer is handed back, failures included.
 */
export class ResearchService {
  readonly k: number;
  readonly audit: AuditLog;
  readonly studies: StudyService;

  constructor(private readonly options: ResearchServiceOptions) {
    this.k = options.minCellLearners ?? 10;
    this.audit = new AuditLog(options.warehouse, options.clock);
    this.studies = new StudyService({
      warehouse: options.warehouse,
      consistentThrough: options.consistentThrough,
      clock: options.clock,
    });
  }

  get erasureAvailable(): boolean {
    return this.options.registry !== undefined;
  }

  /** The last closed local day at the current cut (null while no cut can be promised). */
  private async closedThrough(): Promise<string | null> {
    const cut = await this.options.consistentThrough();
    return cut === null ? null : closedThroughAt(cut, this.options.closeAfterDays ?? 2);
  }

  async metric(who: Researcher, metric: MetricName, query: unknown): Promise<MetricResult> {
    return this.audited(who, `metrics.${metric}`, metric, query, async () => {
      const parsed = parseMetricQuery(query);
      const result = await runMetric(
        this.options.warehouse,
        metric,
        parsed,
        this.k,
        await this.closedThrough(),
      );
      return { result, rows: result.cells.length + result.totals.length, suppressed: result.suppressedCells };
    });
  }

  async balance(who: Researcher, query: unknown): Promise<BalanceResult> {
    return this.audited(who, 'metrics.balance', 'balance', query, async () => {
      const raw = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
      const extra = Object.keys(raw).filter((name) => !['from', 'to', 'period'].includes(name));
      if (extra.length > 0)
        throw new ResearchRequestError(
          'invalid balance query',
          extra.map((field) => ({
            field,
            message:
              'the balance indices take only from, to and period (they are across towns by construction)',
          })),
        );
      const parsed = parseMetricQuery(raw);
      const result = await runBalance(this.options.warehouse, parsed, this.k, await this.closedThrough());
      return { result, rows: result.periods.length, suppressed: result.suppressedCells };
    });
  }

  async createStudy(who: Researcher, body: unknown): Promise<Study> {
    return this.audited(who, 'study.create', '', body, async () => ({
      result: await this.studies.createStudy(body, who.key),
      rows: 1,
      suppressed: 0,
    }));
  }

  async createExtract(who: Researcher, studyId: string, body: unknown): Promise<Extract> {
    return this.audited(who, 'extract.create', studyId, body, async () => {
      const data = await this.studies.createExtract(studyId, body, who.key);
      return {
        result: data.extract,
        rows: data.extract.rowCount,
        suppressed: 0,
        target: `${studyId}/${data.extract.extractId}`,
      };
    });
  }

  async extractData(who: Researcher, studyId: string, extractId: string): Promise<ExtractData> {
    return this.audited(who, 'extract.download', `${studyId}/${extractId}`, {}, async () => {
      const data = await this.studies.extractData(studyId, extractId);
      return { result: data, rows: data.extract.rowCount, suppressed: 0 };
    });
  }

  async eraseLearner(who: Researcher, learnerId: string): Promise<ErasureReport> {
    const registry = this.options.registry;
    if (!registry) throw new Error('erasure needs the learner registry');
    // The pseudonymous id is kept (as the registry's tombstone keeps it): the erasure must be accountable.
    return this.audited(who, 'learner.erase', learnerId, {}, async () => {
      const report = await eraseLearner(this.options.warehouse, registry, learnerId);
      return { result: report, rows: report.statements, suppressed: 0 };
    });
  }

  async readAudit(who: Researcher, query: unknown): Promise<AuditRecord[]> {
    return this.audited(who, 'audit.read', '', query, async () => {
      const parsed = AuditQuerySchema.safeParse(query ?? {});
      if (!parsed.success)
        throw new ResearchRequestError(
          'invalid audit query',
          parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(query)', message: i.message })),
        );
      const records = await this.audit.read(parsed.data);
      return { result: records, rows: records.length, suppressed: 0 };
    });
  }

  private async audited<T>(
    who: Researcher,
    action: AuditAction,
    target: string,
    parameters: unknown,
    work: () => Promise<{ result: T; rows: number; suppressed: number; target?: string }>,
  ): Promise<T> {
    let outcome: { result: T; rows: number; suppressed: number; target?: string };
    try {
      outcome = await work();
    } catch (error) {
      await this.audit.record({
        principal: who.key,
        action,
        target,
        parameters,
        outcome: error instanceof Error ? error.name : 'Error',
        rowCount: 0,
        suppressedCells: 0,
      });
      throw error;
    }
    await this.audit.record({
      principal: who.key,
      action,
      target: outcome.target ?? target,
      parameters,
      outcome: 'ok',
      rowCount: outcome.rows,
      suppressedCells: outcome.suppressed,
    });
    return outcome.result;
  }
}
