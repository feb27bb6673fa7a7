import { createHash, randomBytes } from 'node:crypto';

import type { Warehouse } from '@app/warehouse';
import { z } from 'zod';

import { DIMENSIONS, LEARNER_KEY_SQL } from './dimensions';
import {
  ResearchNotFoundError,
  ResearchRequestError,
  ResearchUnavailableError,
  type ResearchIssue,
} from './errors';
import { parseDay } from './periods';

/**
 * The columns an extract may carry, each with its SQL over one `statements` row. Nothing else can reach an
 * extract: no actor, no learner id, no statement id, no registration, no credential, no raw JSON (so no
 * result.response or any other free text), and an age band instead of a birth year. The learner appears
 * only as the study's pseudonym, which is always the first column.
 */
export const EXTRACT_FIELDS = {
  day: `toDate(timestamp, 'Asia/Shanghai')`,
  timestamp: `toDateTime64(timestamp, 3, 'UTC')`,
  verb: `toString(verb_id)`,
  verb_category: `toString(verb_category)`,
  activity: `object_id`,
  skill: `toString(${DIMENSIONS.skill})`,
  source: `toString(${DIMENSIONS.source})`,
  town: `toString(${DIMENSIONS.town})`,
  region: `toString(${DIMENSIONS.region})`,
  learning_point: `toString(${DIMENSIONS.learning_point})`,
  age_band: `toString(${DIMENSIONS.age_band})`,
  gender: `toString(${DIMENSIONS.gender})`,
  home_town: `toString(${DIMENSIONS.home_town})`,
  duration_seconds: `duration_seconds`,
  score_scaled: `score_scaled`,
  success: `success`,
  completion: `completion`,
} as const;
export type ExtractField = keyof typeof EXTRACT_FIELDS;
export const EXTRACT_FIELD_NAMES = Object.keys(EXTRACT_FIELDS) as ExtractField[];

export const EXTRACT_FORMATS = ['csv', 'parquet'] as const;
export type ExtractFormat = (typeof EXTRACT_FORMATS)[number];

const day = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

export const StudyRequestSchema = z.strictObject({
  title: z.string().trim().min(1).max(200),
  purpose: z.string().trim().min(1).max(4000),
  approvedFields: z
    .array(z.string())
    .min(1)
    .describe(`fields an extract may carry: ${EXTRACT_FIELD_NAMES.join(', ')}`),
  window: z.strictObject({ from: day, to: day }).describe('local days (Asia/Shanghai), inclusive'),
});
export type StudyRequest = z.infer<typeof StudyRequestSchema>;

export const ExtractRequestSchema = z.strictObject({
  format: z.enum(EXTRACT_FORMATS),
  fields: z.array(z.string()).min(1).optional().describe('default: every approved field'),
  from: day.optional().describe('default: the start of the study window'),
  to: day.optional().describe('default: the end of the study window'),
});
export type ExtractRequest = z.infer<typeof ExtractRequestSchema>;

export interface Study {
  readonly studyId: string;
  readonly title: string;
  readonly purpose: string;
  readonly approvedFields: readonly ExtractField[];
  readonly window: { readonly from: string; readonly to: string };
  readonly createdBy: string;
  readonly createdAt: string;
}

export interface Extract {
  readonly extractId: string;
  readonly studyId: string;
  readonly format: ExtractFormat;
  readonly fields: readonly ExtractField[];
  readonly from: string;
  readonly to: string;
  /** Only statements stored up to this instant are in the extract (ISO 8601, microseconds). */
  readonly cutThrough: string;
  readonly rowCount: number;
  readonly sha256: string;
  readonly createdBy: string;
  readonly createdAt: string;
}

export interface ExtractData {
  readonly extract: Extract;
  readonly bytes: Buffer;
  readonly sha256: string;
  readonly contentType: string;
  readonly fileName: string;
}

const StudyRowSchema = z.object({
  study_id: z.string(),
  title: z.string(),
  purpose: z.string(),
  approved_fields: z.array(z.string()),
  window_from: z.string(),
  window_to: z.string(),
  pseudonym_secret: z.string(),
  created_by: z.string(),
  created_at: z.string(),
});

const ExtractRowSchema = z.object({
  extract_id: z.string(),
  study_id: z.string(),
  format: z.enum(EXTRACT_FORMATS),
  fields: z.array(z.string()),
  day_from: z.string(),
  day_to: z.string(),
  cut_through: z.string(),
  row_count: z.coerce.number(),
  sha256: z.string(),
  created_by: z.string(),
  created_at: z.string(),
});

/** ISO 8601 ↔ ClickHouse 'YYYY-MM-DD hh:mm:ss.ffffff' (UTC). */
function toClickHouseTime(iso: string): string {
  return iso.replace('T', ' ').replace('Z', '');
}
function fromClickHouseTime(value: string): string {
  return `${value.replace(' ', 'T')}Z`;
}

/**
 * HMAC-SHA256 keyed by the study secret, written out in SQL so the extract never leaves the engine:
 * H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)) with the 32-byte key zero-padded to the 64-byte block (RFC 2104).
 */
export function hmacPads(secretHex: string): { inner: string; outer: string } {
  const key = Buffer.alloc(64);
  Buffer.from(secretHex, 'hex').copy(key);
  const xor = (pad: number) => Buffer.from(key.map((b) => b ^ pad)).toString('hex');
  return { inner: xor(0x36), outer: xor(0x5c) };
}
export const PSEUDONYM_SQL = `lower(hex(SHA256(concat(unhex({outerPad:String}), SHA256(concat(unhex({innerPad:String}), ${LEARNER_KEY_SQL}))))))`;

export interface StudyServiceOptions {
  readonly warehouse: Warehouse;
  /**
   * The instant up to which every statement is durably stored (the sink's consistent-through watermark),
   * ISO 8601; null when nothing can be promised yet.
   */
  readonly consistentThrough: () => Promise<string | null>;
  readonly clock?: () => Date;
}

/** Studies and their reproducible pseudonymised extracts. */
export class StudyService {
  private readonly clock: () => Date;

  constructor(private readonly options: StudyServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  async createStudy(body: unknown, principal: string): Promise<Study> {
    const request = parseBody(StudyRequestSchema, body, 'invalid study');
    const issues: ResearchIssue[] = [];
    request.approvedFields.forEach((field, i) => {
      if (!(EXTRACT_FIELD_NAMES as string[]).includes(field))
        issues.push({
          field: `approvedFields.${i}`,
          message: `unknown field ${JSON.stringify(field)} (extracts can carry: ${EXTRACT_FIELD_NAMES.join(', ')})`,
        });
    });
    const from = parseDay(request.window.from, 'window.from');
    const to = parseDay(request.window.to, 'window.to');
    if (to < from)
      issues.push({
        field: 'window.to',
        message: `window.to (${request.window.to}) is before window.from (${request.window.from})`,
      });
    if (issues.length > 0) throw new ResearchRequestError('invalid study', issues);
    const study: Study = {
      studyId: `S-${randomBytes(8).toString('hex')}`,
      title: request.title,
      purpose: request.purpose,
      approvedFields: [...new Set(request.approvedFields as ExtractField[])],
      window: request.window,
      createdBy: principal,
      createdAt: this.clock().toISOString(),
    };
    await this.options.warehouse.insertJsonEachRow('research_studies', [
      {
        study_id: study.studyId,
        title: study.title,
        purpose: study.purpose,
        approved_fields: study.approvedFields,
        window_from: study.window.from,
        window_to: study.window.to,
        pseudonym_secret: randomBytes(32).toString('hex'),
        created_by: principal,
        created_at: study.createdAt,
      },
    ]);
    return study;
  }

  async listStudies(): Promise<Study[]> {
    return (await this.studyRows()).map(toStudy);
  }

  async getStudy(studyId: string): Promise<Study> {
    return toStudy(await this.studyRow(studyId));
  }

  /** Cuts an extract at the current watermark and records it; the bytes are what `extractData` returns. */
  async createExtract(studyId: string, body: unknown, principal: string): Promise<ExtractData> {
    const row = await this.studyRow(studyId);
    const study = toStudy(row);
    const request = parseBody(ExtractRequestSchema, body, 'invalid extract request');
    const issues: ResearchIssue[] = [];
    const fields = (request.fields ?? study.approvedFields) as string[];
    fields.forEach((field, i) => {
      if (!(EXTRACT_FIELD_NAMES as string[]).includes(field))
        issues.push({
          field: `fields.${i}`,
          message: `unknown field ${JSON.stringify(field)} (known: ${EXTRACT_FIELD_NAMES.join(', ')})`,
        });
      else if (!(study.approvedFields as string[]).includes(field))
        issues.push({
          field: `fields.${i}`,
          message: `field ${field} is not approved for study ${study.studyId} (approved: ${study.approvedFields.join(', ')})`,
        });
    });
    const from = request.from ?? study.window.from;
    const to = request.to ?? study.window.to;
    const fromDate = parseDay(from, 'from');
    const toDate = parseDay(to, 'to');
    if (toDate < fromDate) issues.push({ field: 'to', message: `to (${to}) is before from (${from})` });
    if (from < study.window.from || to > study.window.to)
      issues.push({
        field: from < study.window.from ? 'from' : 'to',
        message: `[${from}, ${to}] is outside the study window [${study.window.from}, ${study.window.to}]`,
      });
    if (issues.length > 0) throw new ResearchRequestError('invalid extract request', issues);

    const cutThrough = await this.options.consistentThrough();
    if (cutThrough === null)
      throw new ResearchUnavailableError(
        'no consistent-through watermark yet: the sink has not recorded every partition',
      );
    const draft = {
      extractId: `E-${randomBytes(8).toString('hex')}`,
      studyId: study.studyId,
      format: request.format,
      fields: [...new Set(fields)] as ExtractField[],
      from,
      to,
      cutThrough,
      createdBy: principal,
      createdAt: this.clock().toISOString(),
    };
    const { bytes, rowCount } = await this.cut(row.pseudonym_secret, draft);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const extract: Extract = { ...draft, rowCount, sha256 };
    await this.options.warehouse.insertJsonEachRow('research_extracts', [
      {
        extract_id: extract.extractId,
        study_id: extract.studyId,
        format: extract.format,
        fields: extract.fields,
        day_from: extract.from,
        day_to: extract.to,
        cut_through: toClickHouseTime(extract.cutThrough),
        row_count: extract.rowCount,
        sha256,
        created_by: principal,
        created_at: extract.createdAt,
      },
    ]);
    return { extract, bytes, sha256, ...fileOf(extract) };
  }

  async listExtracts(studyId: string): Promise<Extract[]> {
    await this.studyRow(studyId);
    const rows = await this.options.warehouse.query(
      `${EXTRACT_SELECT} WHERE study_id = {studyId:String} ORDER BY created_at, extract_id`,
      { studyId },
      ExtractRowSchema,
    );
    return rows.map(toExtract);
  }

  async getExtract(studyId: string, extractId: string): Promise<Extract> {
    const [row] = await this.options.warehouse.query(
      `${EXTRACT_SELECT} WHERE study_id = {studyId:String} AND extract_id = {extractId:String}`,
      { studyId, extractId },
      ExtractRowSchema,
    );
    if (!row) throw new ResearchNotFoundError(`study ${studyId} has no extract ${extractId}`);
    return toExtract(row);
  }

  /**
   * Cuts a recorded extract again with its recorded bounds. Statements stored after the cut cannot enter,
   * so the bytes are the first delivery's (`sha256` equal), unless a learner in it was erased since.
   */
  async extractData(studyId: string, extractId: string): Promise<ExtractData> {
    const extract = await this.getExtract(studyId, extractId);
    const row = await this.studyRow(studyId);
    const { bytes } = await this.cut(row.pseudonym_secret, extract);
    return { extract, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), ...fileOf(extract) };
  }

  private async cut(
    secret: string,
    extract: Pick<Extract, 'format' | 'fields' | 'from' | 'to' | 'cutThrough'>,
  ): Promise<{ bytes: Buffer; rowCount: number }> {
    const { inner, outer } = hmacPads(secret);
    const columns = extract.fields.map((field) => `${EXTRACT_FIELDS[field]} AS ${field}`).join(',\n        ');
    // As of the cut: a statement voided later is still in (its voiding is not), so re-cuts are identical.
    const source = `
      FROM statements FINAL
      WHERE stored <= {cut:DateTime64(6, 'UTC')}
        AND toDate(timestamp, 'Asia/Shanghai') BETWEEN {from:Date} AND {to:Date}
        AND voiding_target IS NULL
        AND verb_id != 'http://adlnet.gov/expapi/verbs/voided'
        AND id NOT IN (
          SELECT assumeNotNull(voiding_target) FROM statements
          WHERE voiding_target IS NOT NULL AND stored <= {cut:DateTime64(6, 'UTC')}
        )`;
    const params = {
      cut: toClickHouseTime(extract.cutThrough),
      from: extract.from,
      to: extract.to,
      innerPad: inner,
      outerPad: outer,
    };
    const sql = `
      SELECT ${PSEUDONYM_SQL} AS pseudonym,
        ${columns}
      ${source}
      ORDER BY pseudonym, timestamp, id`;
    const bytes = await this.options.warehouse.queryBytes(
      sql,
      extract.format === 'csv' ? 'CSVWithNames' : 'Parquet',
      params,
    );
    const [count] = await this.options.warehouse.query(
      `SELECT toUInt32(count()) AS n ${source}`,
      params,
      z.object({ n: z.number() }),
    );
    return { bytes, rowCount: count.n };
  }

  private async studyRows(studyId?: string): Promise<z.infer<typeof StudyRowSchema>[]> {
    return this.options.warehouse.query(
      `SELECT study_id, title, purpose, approved_fields, toString(window_from) AS window_from,
              toString(window_to) AS window_to, pseudonym_secret, toString(created_by) AS created_by,
              toString(created_at) AS created_at
       FROM research_studies
       WHERE {studyId:String} = '' OR study_id = {studyId:String}
       ORDER BY created_at, study_id`,
      { studyId: studyId ?? '' },
      StudyRowSchema,
    );
  }

  private async studyRow(studyId: string): Promise<z.infer<typeof StudyRowSchema>> {
    const [row] = studyId === '' ? [] : await this.studyRows(studyId);
    if (!row) throw new ResearchNotFoundError(`no study ${studyId}`);
    return row;
  }
}

const EXTRACT_SELECT = `SELECT extract_id, study_id, toString(format) AS format, fields, toString(day_from) AS day_from,
  toString(day_to) AS day_to, toString(cut_through) AS cut_through, row_count, sha256,
  toString(created_by) AS created_by, toString(created_at) AS created_at
  FROM research_extracts`;

function toStudy(row: z.infer<typeof StudyRowSchema>): Study {
  return {
    studyId: row.study_id,
    title: row.title,
    purpose: row.purpose,
    approvedFields: row.approved_fields as ExtractField[],
    window: { from: row.window_from, to: row.window_to },
    createdBy: row.created_by,
    createdAt: fromClickHouseTime(row.created_at),
  };
}

function toExtract(row: z.infer<typeof ExtractRowSchema>): Extract {
  return {
    extractId: row.extract_id,
    studyId: row.study_id,
    format: row.format,
    fields: row.fields as ExtractField[],
    from: row.day_from,
    to: row.day_to,
    cutThrough: fromClickHouseTime(row.cut_through),
    rowCount: row.row_count,
    sha256: row.sha256,
    createdBy: row.created_by,
    createdAt: fromClickHouseTime(row.created_at),
  };
}

function fileOf(extract: Pick<Extract, 'extractId' | 'format'>): { contentType: string; fileName: string } {
  return extract.format === 'csv'
    ? { contentType: 'text/csv; charset=utf-8', fileName: `${extract.extractId}.csv` }
    : { contentType: 'application/vnd.apache.parquet', fileName: `${extract.extractId}.parquet` };
}

function parseBody<S extends z.ZodType>(schema: S, body: unknown, message: string): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success)
    throw new ResearchRequestError(
      message,
      parsed.error.issues.map((issue) => ({
        field: issue.path.join('.') || '(body)',
        message: issue.message,
      })),
    );
  return parsed.data;
}
