import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { z } from 'zod';
import { ReferenceDataError } from './problems';
import {
  budgetCategoryRow,
  budgetRow,
  courseRow,
  districtFile,
  learningPointRow,
  populationRow,
  schoolRow,
  skillRow,
  townRow,
  verbCategoryRow,
} from './schemas';
import { Findings, isComplete, readTable, type Table, type TableRow } from './table';
import type {
  BudgetCategory,
  BudgetRow,
  BudgetTable,
  Course,
  District,
  LearningPoint,
  ReferenceData,
  School,
  Skill,
  Town,
  TownPopulation,
  VerbCategoryEntry,
} from './types';

/** The files the loader reads, relative to the data directory. */
export const REFERENCE_FILES = {
  district: 'district.json',
  towns: 'towns.csv',
  population: 'population.csv',
  schools: 'schools.csv',
  learningPoints: 'learning-points.csv',
  budgetCategories: 'budget-2015-categories.csv',
  budget: 'budget-2015.csv',
  courses: 'courses.csv',
  skills: 'skills.csv',
  verbCategories: 'verb-categories.csv',
} as const;

/** libs/reference/data, the files shipped with the repository. */
export const DEFAULT_REFERENCE_DATA_DIR = path.resolve(__dirname, '..', 'data');

type FileTexts = ReadonlyMap<string, string>;

/**
 * Reads and validates every reference file. Throws ReferenceDataError listing all hard problems
 * (unreadable or malformed files, bad cells, duplicate ids, broken references, wrong counts);
 * returns the data with the soft findings in `inconsistencies`.
 */
export async function loadReferenceData(dir: string = DEFAULT_REFERENCE_DATA_DIR): Promise<ReferenceData> {
  const absolute = path.resolve(dir);
  const findings = new Findings();
  const texts = new Map<string, string>();
  await Promise.all(
    Object.values(REFERENCE_FILES).map(async (file) => {
      let bytes: Buffer | undefined;
      try {
        bytes = await readFile(path.join(absolute, file));
      } catch (error) {
        recordReadError(file, error, findings);
      }
      const text = decodeFile(file, bytes, findings);
      if (text !== undefined) texts.set(file, text);
    }),
  );
  return assemble(absolute, texts, findings);
}

/** Same as loadReferenceData, for start-up code that cannot await. */
export function loadReferenceDataSync(dir: string = DEFAULT_REFERENCE_DATA_DIR): ReferenceData {
  const absolute = path.resolve(dir);
  const findings = new Findings();
  const texts = new Map<string, string>();
  for (const file of Object.values(REFERENCE_FILES)) {
    let bytes: Buffer | undefined;
    try {
      bytes = readFileSync(path.join(absolute, file));
    } catch (error) {
      recordReadError(file, error, findings);
    }
    const text = decodeFile(file, bytes, findings);
    if (text !== undefined) texts.set(file, text);
  }
  return assemble(absolute, texts, findings);
}

function recordReadError(file: string, error: unknown, findings: Findings): void {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    findings.problem({ file, rule: 'missing-file', message: 'the file does not exist' });
    return;
  }
  throw error;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeFile(file: string, bytes: Buffer | undefined, findings: Findings): string | undefined {
  if (bytes === undefined) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    findings.problem({
      file,
      rule: 'encoding',
      message: 'the file is not UTF-8 (in Excel choose "CSV UTF-8" when saving)',
    });
    return undefined;
  }
}

const cents = (value: number): number => Math.round(value * 100);
const fromCents = (value: number): number => value / 100;

function table<S extends z.ZodObject<z.ZodRawShape>>(
  texts: FileTexts,
  file: string,
  schema: S,
  findings: Findings,
): Table<z.output<S>> | undefined {
  const text = texts.get(file);
  return text === undefined ? undefined : readTable(file, text, schema, findings);
}

/** Records a `unique` problem for every row whose key was seen before; returns key → first row. */
function indexUnique<T>(
  tableData: Table<T>,
  column: string,
  key: (value: T) => string,
  findings: Findings,
): Map<string, TableRow<T>> {
  const seen = new Map<string, TableRow<T>>();
  for (const row of tableData.rows) {
    const k = key(row.value);
    const first = seen.get(k);
    if (first !== undefined) {
      findings.problem({
        file: tableData.file,
        line: row.line,
        column: tableData.columns.get(column),
        field: column,
        rule: 'unique',
        message: `"${k}" is already used on line ${first.line}`,
      });
    } else seen.set(k, row);
  }
  return seen;
}

function checkReference<T>(
  tableData: Table<T>,
  row: TableRow<T>,
  column: string,
  value: string,
  target: ReadonlyMap<string, unknown> | null,
  targetFile: string,
  findings: Findings,
): boolean {
  // A target file with problems of its own would turn each of them into many echoes here.
  if (target === null) return false;
  if (target.has(value)) return true;
  findings.problem({
    file: tableData.file,
    line: row.line,
    column: tableData.columns.get(column),
    field: column,
    rule: 'reference',
    message: `"${value}" does not exist in ${targetFile}`,
  });
  return false;
}

function readDistrict(texts: FileTexts, findings: Findings): District | undefined {
  const file = REFERENCE_FILES.district;
  const text = texts.get(file);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    findings.problem({ file, rule: 'json-syntax', message: (error as Error).message });
    return undefined;
  }
  const parsed = districtFile.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      findings.problem({ file, field: issue.path.join('.'), rule: issue.code, message: issue.message });
    }
    return undefined;
  }
  return parsed.data;
}

function reportIllustrative(tableData: Table<unknown> | undefined, findings: Findings): void {
  const status = tableData?.metadata['status'];
  if (tableData === undefined || status === undefined || !status.startsWith('illustrative')) return;
  if (tableData.file === REFERENCE_FILES.population) return; // reported per row below, with figures
  const parts = tableData.metadata['illustrative_parts'];
  findings.warn({
    code: 'data.illustrative',
    file: tableData.file,
    message: `marked status=${status}: not real data yet` + (parts ? ` (${parts})` : ''),
  });
}

function assemble(dir: string, texts: FileTexts, findings: Findings): ReferenceData {
  const district = readDistrict(texts, findings);
  const expect = district?.expectations;

  // Towns
  const townTable = table(texts, REFERENCE_FILES.towns, townRow, findings);
  const townById: Map<string, TableRow<z.output<typeof townRow>>> = townTable
    ? indexUnique(townTable, 'id', (t) => t.id, findings)
    : new Map();
  if (townTable) {
    indexUnique(townTable, 'seq', (t) => String(t.seq), findings);
    indexUnique(townTable, 'name', (t) => t.name, findings);
    if (expect && isComplete(townTable) && townTable.rows.length !== expect.towns) {
      findings.problem({
        file: townTable.file,
        rule: 'count',
        message: `expected ${expect.towns} towns (district.json expectations.towns), found ${townTable.rows.length}`,
      });
    }
    for (const { line, value } of townTable.rows) {
      if (value.display_name !== null && value.display_name !== value.name) {
        findings.warn({
          code: 'town.name-corrected',
          file: townTable.file,
          line,
          message: `${value.id}: the 2015 table writes ${value.name}; shown as ${value.display_name}`,
        });
      }
    }
  }
  const knownTowns = isComplete(townTable) ? townById : null;
  const townNames = (townId: string): string[] => {
    const town = townById.get(townId)?.value;
    return town ? [town.name, town.display_name ?? town.name] : [];
  };

  // Population
  const populationTable = table(texts, REFERENCE_FILES.population, populationRow, findings);
  const populationByTown = new Map<string, TableRow<z.output<typeof populationRow>>>();
  if (populationTable) {
    for (const [townId, row] of indexUnique(populationTable, 'town_id', (p) => p.town_id, findings)) {
      if (!checkReference(populationTable, row, 'town_id', townId, knownTowns, 'towns.csv', findings))
        continue;
      checkTownName(populationTable, row, row.value.town_name, townNames(townId), findings);
      populationByTown.set(townId, row);
    }
    if (knownTowns && isComplete(populationTable))
      requireOnePerTown(populationTable, knownTowns, populationByTown, findings);
    const total = populationTable.rows.reduce((sum, row) => sum + row.value.population, 0);
    const illustrative = populationTable.rows.filter((row) => row.value.status === 'illustrative');
    if (illustrative.length > 0) {
      findings.warn({
        code: 'population.illustrative',
        file: populationTable.file,
        message:
          `${illustrative.length} of ${populationTable.rows.length} town populations are illustrative, not census ` +
          `figures (total ${total}); per-capita rates are indicative only`,
        computed: total,
      });
    }
    if (district) {
      const gap = (total - district.population) / district.population;
      if (Math.abs(gap) > district.expectations.populationTolerance) {
        findings.warn({
          code: 'population.total-vs-district',
          file: populationTable.file,
          message: `town populations sum to ${total}, ${(gap * 100).toFixed(1)}% away from the district's ${district.population}`,
          stated: district.population,
          computed: total,
          difference: district.population - total,
        });
      }
    }
  }

  // Schools
  const schoolTable = table(texts, REFERENCE_FILES.schools, schoolRow, findings);
  const schoolById: Map<string, TableRow<z.output<typeof schoolRow>>> = schoolTable
    ? indexUnique(schoolTable, 'id', (s) => s.id, findings)
    : new Map();
  if (schoolTable) {
    const perTown = new Map<string, number>();
    for (const row of schoolTable.rows) {
      const { town_id: townId, digital_classroom_computers: computers, id } = row.value;
      if (!checkReference(schoolTable, row, 'town_id', townId, knownTowns, 'towns.csv', findings)) continue;
      perTown.set(townId, (perTown.get(townId) ?? 0) + 1);
      if (expect && computers < expect.minDigitalClassroomComputers) {
        findings.warn({
          code: 'school.computers-below-minimum',
          file: schoolTable.file,
          line: row.line,
          message: `${id} has ${computers} computers in its digital classroom; policy requires at least ${expect.minDigitalClassroomComputers}`,
          stated: computers,
        });
      }
    }
    if (expect && isComplete(townTable) && isComplete(schoolTable)) {
      for (const { value: town } of townTable.rows) {
        const found = perTown.get(town.id) ?? 0;
        if (found !== expect.schoolsPerTown) {
          findings.problem({
            file: schoolTable.file,
            field: 'town_id',
            rule: 'one-per-town',
            message: `town ${town.id} (${town.name}) has ${found} community schools; expected ${expect.schoolsPerTown}`,
          });
        }
      }
    }
  }

  // Learning points
  const pointTable = table(texts, REFERENCE_FILES.learningPoints, learningPointRow, findings);
  if (pointTable) {
    indexUnique(pointTable, 'id', (p) => p.id, findings);
    const names = new Map<string, number>();
    for (const row of pointTable.rows) {
      const point = row.value;
      const townOk = checkReference(
        pointTable,
        row,
        'town_id',
        point.town_id,
        knownTowns,
        'towns.csv',
        findings,
      );
      const schools = isComplete(schoolTable) ? schoolById : null;
      const schoolOk = checkReference(
        pointTable,
        row,
        'school_id',
        point.school_id,
        schools,
        'schools.csv',
        findings,
      );
      const schoolTown = schoolOk ? schoolById.get(point.school_id)?.value.town_id : undefined;
      if (townOk && schoolTown !== undefined && schoolTown !== point.town_id) {
        findings.problem({
          file: pointTable.file,
          line: row.line,
          column: pointTable.columns.get('school_id'),
          field: 'school_id',
          rule: 'same-town',
          message: `school ${point.school_id} belongs to town ${schoolTown}, but the point is in town ${point.town_id}`,
        });
      }
      const nameKey = `${point.town_id}/${point.name}`;
      const firstLine = names.get(nameKey);
      if (firstLine !== undefined) {
        findings.warn({
          code: 'learning-point.duplicate-name',
          file: pointTable.file,
          line: row.line,
          message: `${point.id}: the name ${point.name} is already used in town ${point.town_id} on line ${firstLine}`,
        });
      } else names.set(nameKey, row.line);
    }
    if (expect && knownTowns && isComplete(pointTable))
      checkPointCounts(pointTable, knownTowns, expect, findings);
  }

  // Budget 2015
  const budget = readBudget(texts, knownTowns, townNames, findings);

  // Courses, skills, verbs
  const courseTable = table(texts, REFERENCE_FILES.courses, courseRow, findings);
  const courseById: Map<string, TableRow<z.output<typeof courseRow>>> = courseTable
    ? indexUnique(courseTable, 'id', (c) => c.id, findings)
    : new Map();
  const skillTable = table(texts, REFERENCE_FILES.skills, skillRow, findings);
  if (skillTable) {
    indexUnique(skillTable, 'id', (s) => s.id, findings);
    indexUnique(skillTable, 'order', (s) => `${s.course_id} #${s.order}`, findings);
    for (const row of skillTable.rows) {
      const courses = isComplete(courseTable) ? courseById : null;
      checkReference(skillTable, row, 'course_id', row.value.course_id, courses, 'courses.csv', findings);
    }
  }
  checkIrisUnique(courseTable, skillTable, findings);
  const verbTable = table(texts, REFERENCE_FILES.verbCategories, verbCategoryRow, findings);
  if (verbTable) indexUnique(verbTable, 'verb_iri', (v) => v.verb_iri, findings);

  for (const t of [townTable, populationTable, schoolTable, pointTable, courseTable, skillTable, verbTable]) {
    reportIllustrative(t, findings);
  }

  if (findings.problems.length > 0) throw new ReferenceDataError(dir, findings.problems);
  // No problems means every file was read and validated; the guards below only narrow the types.
  if (
    !district ||
    !townTable ||
    !populationTable ||
    !schoolTable ||
    !pointTable ||
    !budget ||
    !courseTable ||
    !skillTable ||
    !verbTable
  ) {
    throw new Error('reference loader invariant: a table is missing although no problem was recorded');
  }

  const spendingByTown = new Map(budget.table.rows.map((row) => [row.townId, row.statedTotal]));
  const towns: Town[] = townTable.rows.map(({ value: t }) => {
    const population = populationByTown.get(t.id)?.value;
    const spending = spendingByTown.get(t.id);
    if (population === undefined || spending === undefined) {
      throw new Error(`reference loader invariant: town ${t.id} lacks population or budget`);
    }
    return {
      id: t.id,
      seq: t.seq,
      name: t.name,
      displayName: t.display_name ?? t.name,
      nameEn: t.name_en,
      region: t.region,
      kind: t.kind,
      note: t.note,
      population: population.population,
      areaKm2: population.area_km2,
      populationStatus: population.status,
      spending2015WanCny: spending,
    };
  });
  const population: TownPopulation[] = populationTable.rows.map(({ value: p }) => ({
    townId: p.town_id,
    population: p.population,
    areaKm2: p.area_km2,
    status: p.status,
    source: p.source,
  }));
  const schools: School[] = schoolTable.rows.map(({ value: s }) => ({
    id: s.id,
    name: s.name,
    townId: s.town_id,
    digitalClassroomComputers: s.digital_classroom_computers,
    note: s.note,
  }));
  const learningPoints: LearningPoint[] = pointTable.rows.map(({ value: p }) => ({
    id: p.id,
    name: p.name,
    townId: p.town_id,
    schoolId: p.school_id,
    demonstration: p.demonstration,
    experimentalBase: p.experimental_base,
    smartCommunityPilot: p.smart_community_pilot,
    computers: p.computers,
    note: p.note,
  }));
  const courses: Course[] = courseTable.rows.map(({ value: c }) => ({
    id: c.id,
    nameZh: c.name_zh,
    nameEn: c.name_en,
    activityIri: c.activity_iri,
    note: c.note,
  }));
  const skills: Skill[] = skillTable.rows
    .map(({ value: s }) => ({
      id: s.id,
      courseId: s.course_id,
      order: s.order,
      nameZh: s.name_zh,
      nameEn: s.name_en,
      activityIri: s.activity_iri,
      alsoIris: s.also_iris,
    }))
    .sort((a, b) => a.courseId.localeCompare(b.courseId) || a.order - b.order);
  const verbCategories: VerbCategoryEntry[] = verbTable.rows.map(({ value: v }) => ({
    verbIri: v.verb_iri,
    category: v.category,
    displayZh: v.display_zh,
    displayEn: v.display_en,
  }));
  const metadata: Record<string, Readonly<Record<string, string>>> = {};
  for (const t of [townTable, populationTable, schoolTable, pointTable, courseTable, skillTable, verbTable]) {
    metadata[t.file] = t.metadata;
  }
  metadata[REFERENCE_FILES.budget] = budget.metadata;
  metadata[REFERENCE_FILES.budgetCategories] = budget.categoryMetadata;

  return {
    dir,
    district,
    towns,
    population,
    schools,
    learningPoints,
    budget2015: budget.table,
    courses,
    skills,
    verbCategories,
    metadata,
    inconsistencies: findings.inconsistencies,
  };
}

function checkTownName<T>(
  tableData: Table<T>,
  row: TableRow<T>,
  given: string | null,
  accepted: readonly string[],
  findings: Findings,
): void {
  if (given === null || accepted.includes(given)) return;
  findings.problem({
    file: tableData.file,
    line: row.line,
    column: tableData.columns.get('town_name'),
    field: 'town_name',
    rule: 'name-mismatch',
    message: `"${given}" is not the name of this town in towns.csv (${[...new Set(accepted)].join(' / ')})`,
  });
}

function requireOnePerTown<T>(
  tableData: Table<T>,
  townById: ReadonlyMap<string, TableRow<{ name: string }>>,
  found: ReadonlyMap<string, unknown>,
  findings: Findings,
): void {
  for (const [townId, town] of townById) {
    if (!found.has(townId)) {
      findings.problem({
        file: tableData.file,
        field: 'town_id',
        rule: 'one-per-town',
        message: `no row for town ${townId} (${town.value.name})`,
      });
    }
  }
}

function checkPointCounts(
  pointTable: Table<z.output<typeof learningPointRow>>,
  townById: ReadonlyMap<string, TableRow<z.output<typeof townRow>>>,
  expect: District['expectations'],
  findings: Findings,
): void {
  const file = pointTable.file;
  const points = pointTable.rows.map((row) => row.value);
  const countRule = (what: string, expected: number, found: number, key: string): void => {
    if (expected === found) return;
    findings.problem({
      file,
      rule: 'count',
      message: `expected ${expected} ${what} (district.json expectations.${key}), found ${found}`,
    });
  };
  countRule('learning points', expect.learningPoints, points.length, 'learningPoints');
  countRule(
    'demonstration points',
    expect.demonstrationPoints,
    points.filter((p) => p.demonstration).length,
    'demonstrationPoints',
  );
  countRule(
    'smart-community pilot points',
    expect.smartCommunityPilots,
    points.filter((p) => p.smart_community_pilot).length,
    'smartCommunityPilots',
  );
  for (const region of ['east', 'west'] as const) {
    const found = points.filter(
      (p) => p.experimental_base && townById.get(p.town_id)?.value.region === region,
    );
    countRule(
      `experimental bases in the ${region}`,
      expect.experimentalBasesPerRegion[region],
      found.length,
      `experimentalBasesPerRegion.${region}`,
    );
  }
}

function checkIrisUnique(
  courseTable: Table<z.output<typeof courseRow>> | undefined,
  skillTable: Table<z.output<typeof skillRow>> | undefined,
  findings: Findings,
): void {
  // One IRI must lead to one place, or activity → skill would depend on file order.
  const seen = new Map<string, string>();
  const claim = (iri: string, owner: string, file: string, line: number, column: string): void => {
    const key = normalizeIri(iri);
    const first = seen.get(key);
    if (first !== undefined) {
      findings.problem({
        file,
        line,
        field: column,
        rule: 'unique',
        message: `${iri} is already used by ${first}`,
      });
    } else seen.set(key, owner);
  };
  for (const row of courseTable?.rows ?? []) {
    claim(row.value.activity_iri, `course ${row.value.id}`, courseTable!.file, row.line, 'activity_iri');
  }
  for (const row of skillTable?.rows ?? []) {
    for (const iri of [row.value.activity_iri, ...row.value.also_iris]) {
      const column = iri === row.value.activity_iri ? 'activity_iri' : 'also_iris';
      claim(iri, `skill ${row.value.id}`, skillTable!.file, row.line, column);
    }
  }
}

/** Query, fragment and trailing slashes do not distinguish activities for skill mapping. */
export function normalizeIri(iri: string): string {
  return iri.replace(/[?#].*$/, '').replace(/\/+$/, '');
}

interface LoadedBudget {
  readonly table: BudgetTable;
  readonly metadata: Readonly<Record<string, string>>;
  readonly categoryMetadata: Readonly<Record<string, string>>;
}

function readBudget(
  texts: FileTexts,
  towns: ReadonlyMap<string, TableRow<z.output<typeof townRow>>> | null,
  townNames: (townId: string) => string[],
  findings: Findings,
): LoadedBudget | undefined {
  const categoryTable = table(texts, REFERENCE_FILES.budgetCategories, budgetCategoryRow, findings);
  // The budget's columns come from the categories, so a broken categories file stops here.
  if (!isComplete(categoryTable)) return undefined;
  indexUnique(categoryTable, 'id', (c) => c.id, findings);
  indexUnique(categoryTable, 'order', (c) => String(c.order), findings);
  const categories: BudgetCategory[] = categoryTable.rows
    .map(({ value: c }) => ({ id: c.id, order: c.order, nameZh: c.name_zh, nameEn: c.name_en }))
    .sort((a, b) => a.order - b.order);

  const schema = budgetRow(categories.map((c) => c.id));
  const budgetTable = table(texts, REFERENCE_FILES.budget, schema, findings);
  if (!budgetTable) return undefined;
  const complete = isComplete(budgetTable);
  const file = budgetTable.file;

  const rows: (BudgetRow & { line: number })[] = budgetTable.rows.map(({ line, value }) => {
    const record = value as Record<string, unknown>;
    const items: Record<string, number | null> = {};
    let itemCents = 0;
    for (const category of categories) {
      const amount = record[category.id] as number | null;
      items[category.id] = amount;
      if (amount !== null) itemCents += cents(amount);
    }
    return {
      line,
      seq: value.seq,
      townId: value.town_id,
      townName: value.town_name,
      year: value.year,
      items,
      statedTotal: value.stated_total,
      itemsSum: fromCents(itemCents),
    };
  });

  const townRows = rows.filter((row) => row.townId !== 'TOTAL');
  const totalRows = rows.filter((row) => row.townId === 'TOTAL');
  const seenTowns = new Map<string, number>();
  for (const [index, row] of budgetTable.rows.entries()) {
    const parsed = rows[index];
    if (parsed.townId === 'TOTAL') continue;
    const firstLine = seenTowns.get(parsed.townId);
    if (firstLine !== undefined) {
      findings.problem({
        file,
        line: row.line,
        column: budgetTable.columns.get('town_id'),
        field: 'town_id',
        rule: 'unique',
        message: `"${parsed.townId}" is already used on line ${firstLine}`,
      });
      continue;
    }
    seenTowns.set(parsed.townId, row.line);
    if (checkReference(budgetTable, row, 'town_id', parsed.townId, towns, 'towns.csv', findings)) {
      checkTownName(budgetTable, row, parsed.townName, townNames(parsed.townId), findings);
    }
  }
  // Totals and coverage are only meaningful over a complete table.
  if (!complete) return undefined;
  if (towns) requireOnePerTown(budgetTable, towns, seenTowns, findings);
  if (totalRows.length !== 1) {
    findings.problem({
      file,
      field: 'town_id',
      rule: 'count',
      message: `expected exactly one TOTAL (合计) row, found ${totalRows.length}`,
    });
    return undefined;
  }
  const years = new Set(rows.map((row) => row.year));
  if (years.size !== 1) {
    findings.problem({
      file,
      field: 'year',
      rule: 'same-year',
      message: `rows mix years ${[...years].join(', ')}`,
    });
  }
  const totalRow = totalRows[0];
  const round = (value: number): number => fromCents(cents(value));

  for (const row of townRows) {
    if (cents(row.itemsSum) !== cents(row.statedTotal)) {
      findings.warn({
        code: 'budget.row-items-vs-total',
        file,
        line: row.line,
        message: `${row.townName} (${row.townId}): items sum to ${row.itemsSum.toFixed(2)} but the row states ${row.statedTotal.toFixed(2)}`,
        stated: row.statedTotal,
        computed: row.itemsSum,
        difference: round(row.statedTotal - row.itemsSum),
      });
    }
  }
  const sumOfRows = fromCents(townRows.reduce((sum, row) => sum + cents(row.statedTotal), 0));
  if (cents(sumOfRows) !== cents(totalRow.statedTotal)) {
    findings.warn({
      code: 'budget.total-vs-rows',
      file,
      line: totalRow.line,
      message: `the table states a total of ${totalRow.statedTotal.toFixed(2)} but its rows sum to ${sumOfRows.toFixed(2)}`,
      stated: totalRow.statedTotal,
      computed: sumOfRows,
      difference: round(totalRow.statedTotal - sumOfRows),
    });
  }
  for (const category of categories) {
    const stated = totalRow.items[category.id];
    const computed = fromCents(townRows.reduce((sum, row) => sum + cents(row.items[category.id] ?? 0), 0));
    if (stated !== null && cents(stated) !== cents(computed)) {
      findings.warn({
        code: 'budget.column-total-vs-rows',
        file,
        line: totalRow.line,
        message: `${category.nameZh} (${category.id}): the 合计 row states ${stated.toFixed(2)} but the rows sum to ${computed.toFixed(2)}`,
        stated,
        computed,
        difference: round(stated - computed),
      });
    }
  }
  if (cents(totalRow.itemsSum) !== cents(totalRow.statedTotal)) {
    findings.warn({
      code: 'budget.total-items-vs-total',
      file,
      line: totalRow.line,
      message: `the 合计 row's column totals sum to ${totalRow.itemsSum.toFixed(2)} but it states ${totalRow.statedTotal.toFixed(2)}`,
      stated: totalRow.statedTotal,
      computed: totalRow.itemsSum,
      difference: round(totalRow.statedTotal - totalRow.itemsSum),
    });
  }

  const strip = ({ line: _line, ...row }: BudgetRow & { line: number }): BudgetRow => row;
  return {
    table: {
      year: totalRow.year,
      unit: budgetTable.metadata['unit'] ?? '万元',
      categories,
      rows: townRows.map(strip),
      totalRow: strip(totalRow),
      statedTotal: totalRow.statedTotal,
      sumOfRows,
    },
    metadata: budgetTable.metadata,
    categoryMetadata: categoryTable.metadata,
  };
}
