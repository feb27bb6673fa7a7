import { CsvSyntaxError, parseCsv, type ReferenceIndex } from '@app/reference';
import { LearnerCsvError, type LearnerIssue } from './errors';
import { learnerIdSchema, validateLearnerPutBody, type LearnerDraft } from './learner.schema';

/**
 * Registry CSV import. Columns (any order, names exact; extra columns are ignored and reported):
 *
 *   learner_id, identities, birth_year, gender, home_town_id, home_learning_point_id
 *
 * `identities` holds canonical actor keys separated by `;` (so an account name or openid containing
 * `;` cannot be imported this way). An empty `home_learning_point_id` means none. Same CSV dialect as
 * the reference files (UTF-8, optional BOM, RFC 4180 quoting, `#` comment lines).
 *
 * Nothing is half-done: every row is either accepted or rejected with its line and all its reasons,
 * and the caller decides whether to store the accepted rows, or nothing until the file is clean.
 * Rows carry no version: the registry stamps `version` and `updatedAt` when it stores them.
 */

export const LEARNER_CSV_COLUMNS = [
  'learner_id',
  'identities',
  'birth_year',
  'gender',
  'home_town_id',
  'home_learning_point_id',
] as const;
type Column = (typeof LEARNER_CSV_COLUMNS)[number];

/** Issue fields are CSV column names here, since a clerk fixes the file, not JSON. */
const COLUMN_OF_FIELD: Readonly<Record<string, Column>> = {
  id: 'learner_id',
  identities: 'identities',
  birthYear: 'birth_year',
  gender: 'gender',
  homeTownId: 'home_town_id',
  homeLearningPointId: 'home_learning_point_id',
};

export interface AcceptedLearnerRow {
  readonly line: number;
  readonly learner: LearnerDraft;
}

export interface RejectedLearnerRow {
  /** 1-based physical line of the row in the file. */
  readonly line: number;
  /** The row's learner id as written, when the cell is not empty. */
  readonly learnerId: string | null;
  readonly reasons: readonly LearnerIssue[];
}

export interface LearnerCsvImport {
  readonly accepted: readonly AcceptedLearnerRow[];
  readonly rejected: readonly RejectedLearnerRow[];
  /** Header names that are not learner columns; their cells were not read. */
  readonly ignoredColumns: readonly string[];
}

/** Throws LearnerCsvError only when the file as a whole is unreadable (quoting, header). */
export function importLearnersCsv(text: string, reference: ReferenceIndex): LearnerCsvImport {
  let document;
  try {
    document = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new LearnerCsvError(error.line, error.rule, error.detail);
    throw error;
  }
  const header = document.header.fields.map((name) => name.trim());
  const position = new Map<string, number>();
  header.forEach((name, index) => {
    if (position.has(name)) {
      throw new LearnerCsvError(document.header.line, 'duplicate-column', `column "${name}" appears twice`);
    }
    position.set(name, index);
  });
  const missing = LEARNER_CSV_COLUMNS.filter((column) => !position.has(column));
  if (missing.length > 0) {
    throw new LearnerCsvError(
      document.header.line,
      'missing-column',
      `missing column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (expected ${LEARNER_CSV_COLUMNS.join(', ')})`,
    );
  }
  const ignoredColumns = header.filter((name) => !(LEARNER_CSV_COLUMNS as readonly string[]).includes(name));

  const accepted: AcceptedLearnerRow[] = [];
  const rejected: RejectedLearnerRow[] = [];
  const lineOfId = new Map<string, number>();
  const ownerOfIdentity = new Map<string, { line: number; id: string }>();

  for (const record of document.records) {
    const cell = (column: Column): string => (record.fields[position.get(column) ?? -1] ?? '').trim();
    const reasons: LearnerIssue[] = [];
    if (record.fields.length !== header.length) {
      reasons.push({
        field: '',
        rule: 'columns',
        message: `has ${record.fields.length} cells but the header has ${header.length}`,
      });
    }

    const rawId = cell('learner_id');
    const id = learnerIdSchema.safeParse(rawId);
    if (rawId === '') reasons.push({ field: 'learner_id', rule: 'required', message: 'must not be empty' });
    else if (!id.success)
      reasons.push({ field: 'learner_id', rule: 'format', message: id.error.issues[0].message });
    else {
      const firstLine = lineOfId.get(id.data);
      if (firstLine !== undefined) {
        reasons.push({
          field: 'learner_id',
          rule: 'unique',
          message: `learner ${id.data} is already on line ${firstLine}`,
        });
      } else lineOfId.set(id.data, record.line);
    }

    const rawIdentities = cell('identities');
    const birthYear = cell('birth_year');
    const body = {
      identities:
        rawIdentities === ''
          ? []
          : rawIdentities
              .split(';')
              .map((key) => key.trim())
              .filter((key) => key !== ''),
      birthYear: /^\d{1,4}$/.test(birthYear) ? Number(birthYear) : birthYear === '' ? undefined : birthYear,
      gender: cell('gender') === '' ? undefined : cell('gender'),
      homeTownId: cell('home_town_id') === '' ? undefined : cell('home_town_id'),
      homeLearningPointId: cell('home_learning_point_id') === '' ? null : cell('home_learning_point_id'),
    };
    const result = validateLearnerPutBody(body, reference);
    if (!result.ok) reasons.push(...result.issues.map(toCsvIssue));
    else if (id.success) {
      for (const key of result.value.identities) {
        const owner = ownerOfIdentity.get(key);
        if (owner !== undefined && owner.id !== id.data) {
          reasons.push({
            field: 'identities',
            rule: 'unique',
            message: `"${key}" already belongs to learner ${owner.id} (line ${owner.line})`,
          });
        } else ownerOfIdentity.set(key, { line: record.line, id: id.data });
      }
    }

    if (reasons.length === 0 && result.ok && id.success) {
      accepted.push({ line: record.line, learner: { id: id.data, ...result.value } });
    } else rejected.push({ line: record.line, learnerId: rawId === '' ? null : rawId, reasons });
  }
  return { accepted, rejected, ignoredColumns };
}

function toCsvIssue(issue: LearnerIssue): LearnerIssue {
  const match = /^([A-Za-z]+)(?:\[(\d+)\])?/.exec(issue.field);
  if (match === null) return issue;
  const [, field, index] = match;
  // A non-numeric cell reaches the schema as text: say what to type rather than "expected number".
  if (field === 'birthYear' && issue.rule === 'type') {
    return { field: 'birth_year', rule: 'format', message: 'must be a whole year such as 1956' };
  }
  const message = index !== undefined ? `entry ${Number(index) + 1}: ${issue.message}` : issue.message;
  return { field: COLUMN_OF_FIELD[field] ?? field, rule: issue.rule, message };
}
