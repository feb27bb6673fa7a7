import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  DEFAULT_REFERENCE_DATA_DIR,
  loadReferenceData,
  loadReferenceDataSync,
  REFERENCE_FILES,
} from './load-reference-data';
import { ReferenceDataError, type Inconsistency, type ReferenceProblem } from './problems';
import type { ReferenceData } from './types';

const DATA = DEFAULT_REFERENCE_DATA_DIR;
const original = (file: string): string => readFileSync(path.join(DATA, file), 'utf8');

/** 1-based line of the first line of `file` (as shipped) that starts with `prefix`. */
function lineOf(file: string, prefix: string): number {
  const index = original(file)
    .split('\n')
    .findIndex((line) => line.startsWith(prefix));
  if (index < 0) throw new Error(`no line starting with ${prefix} in ${file}`);
  return index + 1;
}

/** Replaces the line starting with `prefix`; `replacement` null deletes it. */
function editLine(prefix: string, replacement: string | null | ((line: string) => string)) {
  return (text: string): string => {
    const lines = text.split('\n');
    const index = lines.findIndex((line) => line.startsWith(prefix));
    if (index < 0) throw new Error(`no line starting with ${prefix}`);
    if (replacement === null) lines.splice(index, 1);
    else lines[index] = typeof replacement === 'function' ? replacement(lines[index]) : replacement;
    return lines.join('\n');
  };
}

/** Replaces the cell `column` (1-based) of the line starting with `prefix`. */
function editCell(prefix: string, column: number, value: string) {
  return editLine(prefix, (line) => {
    const cells = line.split(',');
    cells[column - 1] = value;
    return cells.join(',');
  });
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the shipped data with some files edited (a string or Buffer replaces, a function edits). */
function dataWith(edits: Record<string, ((text: string) => string) | string | Buffer | null>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'reference-'));
  tempDirs.push(dir);
  cpSync(DATA, dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const target = path.join(dir, file);
    if (edit === null) rmSync(target);
    else if (typeof edit === 'function') writeFileSync(target, edit(readFileSync(target, 'utf8')));
    else writeFileSync(target, edit);
  }
  return dir;
}

async function problemsOf(dir: string): Promise<readonly ReferenceProblem[]> {
  try {
    await loadReferenceData(dir);
  } catch (error) {
    if (error instanceof ReferenceDataError) return error.problems;
    throw error;
  }
  throw new Error('expected ReferenceDataError');
}

const byCode = (data: ReferenceData, code: string): Inconsistency[] =>
  data.inconsistencies.filter((i) => i.code === code);

describe('loadReferenceData on the shipped files', () => {
  let data: ReferenceData;
  beforeAll(async () => {
    data = await loadReferenceData();
  });

  it('has the 19 towns of the 2015 table, in its order and spelling, with unique T01..T19 ids', () => {
    const table = original('budget-2015.csv')
      .split('\n')
      .filter((line) => /^\d+,/.test(line))
      .map((line) => line.split(',')[2]);
    expect(data.towns).toHaveLength(19);
    expect(data.towns.map((t) => t.name)).toEqual(table);
    expect(new Set(data.towns.map((t) => t.id)).size).toBe(19);
    expect(data.towns[0]).toMatchObject({ id: 'T01', name: '金凤镇', spending2015WanCny: 76.29 });
  });

  it('keeps 白象街镇 as written and shows it as 白市驿镇, reporting the correction', () => {
    const town = data.towns.find((t) => t.name === '白象街镇');
    expect(town).toMatchObject({ displayName: '白市驿镇', region: 'west' });
    expect(byCode(data, 'town.name-corrected')).toEqual([expect.objectContaining({ file: 'towns.csv' })]);
  });

  it('has one community school per town and 176 learning points, more of them in the east', () => {
    expect(data.schools).toHaveLength(19);
    expect(new Set(data.schools.map((s) => s.townId)).size).toBe(19);
    expect(data.learningPoints).toHaveLength(176);
    const region = new Map(data.towns.map((t) => [t.id, t.region]));
    const east = data.learningPoints.filter((p) => region.get(p.townId) === 'east').length;
    expect(east).toBeGreaterThan(176 - east);
    for (const school of data.schools) expect(school.digitalClassroomComputers).toBeGreaterThanOrEqual(20);
  });

  it('has six demonstration points, two experimental bases (石坪桥街道 east, 白市驿镇 west) and the 九龙镇 pilot', () => {
    const town = new Map(data.towns.map((t) => [t.id, t]));
    expect(data.learningPoints.filter((p) => p.demonstration)).toHaveLength(6);
    const bases = data.learningPoints.filter((p) => p.experimentalBase).map((p) => town.get(p.townId));
    expect(bases.map((t) => [t?.displayName, t?.region]).sort()).toEqual([
      ['白市驿镇', 'west'],
      ['石坪桥街道', 'east'],
    ]);
    const pilots = data.learningPoints.filter((p) => p.smartCommunityPilot);
    expect(pilots.map((p) => p.name).sort()).toEqual(
      ['九龙花园社区数字化学习点', '盘龙社区数字化学习点'].sort(),
    );
    expect(new Set(pilots.map((p) => town.get(p.townId)?.name))).toEqual(new Set(['九龙镇']));
  });

  it('has about 1.2 million residents (±5%), denser in the urban east, and says the figures are illustrative', () => {
    const total = data.towns.reduce((sum, t) => sum + t.population, 0);
    expect(Math.abs(total - 1_200_000) / 1_200_000).toBeLessThanOrEqual(0.05);
    const density = (region: string): number => {
      const towns = data.towns.filter((t) => t.region === region);
      const people = towns.reduce((sum, t) => sum + t.population, 0);
      return people / towns.reduce((sum, t) => sum + (t.areaKm2 ?? 0), 0);
    };
    expect(density('east')).toBeGreaterThan(3 * density('west'));
    expect(byCode(data, 'population.illustrative')).toEqual([
      expect.objectContaining({ file: 'population.csv', computed: total }),
    ]);
    expect(byCode(data, 'population.total-vs-district')).toEqual([]);
  });

  it('reports the 2015 table total 1533.70 against its rows summing to 1534.70', () => {
    expect(data.budget2015.statedTotal).toBe(1533.7);
    expect(data.budget2015.sumOfRows).toBe(1534.7);
    expect(byCode(data, 'budget.total-vs-rows')).toEqual([
      {
        code: 'budget.total-vs-rows',
        file: 'budget-2015.csv',
        line: lineOf('budget-2015.csv', ',TOTAL,'),
        message: 'the table states a total of 1533.70 but its rows sum to 1534.70',
        stated: 1533.7,
        computed: 1534.7,
        difference: -1,
      },
    ]);
  });

  it("keeps the first row's items and reports their sum 75.29 against its stated 76.29", () => {
    const first = data.budget2015.rows[0];
    expect(first.items).toMatchObject({ employment: 3.14, culture_publicity: 24, youth_palace: null });
    expect(first.itemsSum).toBe(75.29);
    expect(byCode(data, 'budget.row-items-vs-total')).toContainEqual(
      expect.objectContaining({
        line: lineOf('budget-2015.csv', '1,T01,'),
        stated: 76.29,
        computed: 75.29,
        difference: 1,
      }),
    );
  });

  it('reports every other row and column of the 2015 table whose parts disagree with its printed total', () => {
    const rows = byCode(data, 'budget.row-items-vs-total');
    for (const row of data.budget2015.rows) {
      const reported = rows.some((i) => i.message.includes(`(${row.townId})`));
      expect(reported).toBe(Math.round(row.itemsSum * 100) !== Math.round(row.statedTotal * 100));
    }
    const columns = byCode(data, 'budget.column-total-vs-rows');
    expect(columns.length).toBeGreaterThan(0);
    for (const column of columns) {
      expect(column.difference).toBeCloseTo((column.stated ?? NaN) - (column.computed ?? NaN), 6);
    }
  });

  it('maps the five catalogue modules, in order, to skills of the computer course', () => {
    expect(data.skills.map((s) => [s.order, s.nameZh])).toEqual([
      [1, '计算机组成原理初步知识'],
      [2, '计算机基本操作'],
      [3, '中文输入法'],
      [4, '常用软件操作'],
      [5, '如何上网、下载资料'],
    ]);
    expect(new Set(data.skills.map((s) => s.courseId))).toEqual(new Set(['computer-basics']));
  });

  it('gives the same result through the synchronous loader', () => {
    expect(loadReferenceDataSync()).toEqual(data);
  });
});

describe('loadReferenceData on broken files', () => {
  it('rejects a non-numeric population with file, line, column and rule', async () => {
    const problems = await problemsOf(dataWith({ 'population.csv': editCell('T03,', 3, '12.8万') }));
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'population.csv',
        line: lineOf('population.csv', 'T03,'),
        column: 3,
        field: 'population',
        rule: 'invalid_format',
      }),
    ]);
    expect(problems[0].message).toContain('12.8万');
  });

  it('rejects a duplicate learning-point id, pointing at the second use', async () => {
    const problems = await problemsOf(dataWith({ 'learning-points.csv': editCell('LP002,', 1, 'LP001') }));
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'learning-points.csv',
        line: lineOf('learning-points.csv', 'LP002,'),
        column: 1,
        rule: 'unique',
        message: `"LP001" is already used on line ${lineOf('learning-points.csv', 'LP001,')}`,
      }),
    ]);
  });

  it('rejects a point whose town does not exist, and one whose school is in another town', async () => {
    const problems = await problemsOf(
      dataWith({
        'learning-points.csv': (text) => editCell('LP003,', 4, 'S02')(editCell('LP050,', 3, 'T20')(text)),
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: 'learning-points.csv',
          line: lineOf('learning-points.csv', 'LP050,'),
          column: 3,
          field: 'town_id',
          rule: 'reference',
          message: '"T20" does not exist in towns.csv',
        }),
        expect.objectContaining({
          line: lineOf('learning-points.csv', 'LP003,'),
          column: 4,
          rule: 'same-town',
        }),
      ]),
    );
    expect(problems).toHaveLength(2);
  });

  it('rejects a town left without a school, listing every point that pointed at it', async () => {
    const pointsOfS07 = original('learning-points.csv')
      .split('\n')
      .filter((line) => line.split(',')[3] === 'S07').length;
    const problems = await problemsOf(dataWith({ 'schools.csv': editLine('S07,', null) }));
    expect(problems).toContainEqual(expect.objectContaining({ file: 'schools.csv', rule: 'one-per-town' }));
    expect(problems.filter((p) => p.rule === 'reference' && p.field === 'school_id')).toHaveLength(
      pointsOfS07,
    );
  });

  it('rejects counts that differ from the district expectations', async () => {
    const problems = await problemsOf(
      dataWith({
        'learning-points.csv': (text) => editCell('LP046,', 6, 'no')(editLine('LP176,', null)(text)),
      }),
    );
    expect(problems.map((p) => [p.rule, p.message])).toEqual([
      ['count', 'expected 176 learning points (district.json expectations.learningPoints), found 175'],
      [
        'count',
        'expected 1 experimental bases in the west (district.json expectations.experimentalBasesPerRegion.west), found 0',
      ],
    ]);
  });

  it('lists problems from several files together in one typed error', async () => {
    const dir = dataWith({
      'towns.csv': editCell('T04,', 6, 'north'),
      'schools.csv': editCell('S01,', 4, 'twenty'),
      'learning-points.csv': editCell('LP010,', 5, 'maybe'),
    });
    const error = await loadReferenceData(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReferenceDataError);
    const { problems, message } = error as ReferenceDataError;
    expect(problems.map((p) => [p.file, p.line, p.column, p.field])).toEqual(
      expect.arrayContaining([
        ['towns.csv', lineOf('towns.csv', 'T04,'), 6, 'region'],
        ['schools.csv', lineOf('schools.csv', 'S01,'), 4, 'digital_classroom_computers'],
        ['learning-points.csv', lineOf('learning-points.csv', 'LP010,'), 5, 'demonstration'],
      ]),
    );
    expect(message).toContain(`towns.csv:${lineOf('towns.csv', 'T04,')}:6 (region)`);
    expect(message).toContain('must be east or west');
  });

  it('reports CSV syntax, encoding, missing files, missing columns and a bad district.json', async () => {
    const problems = await problemsOf(
      dataWith({
        'towns.csv': editLine('T02,', (line) => line.replace('石桥铺街道', '"石桥铺街道')),
        'schools.csv': Buffer.concat([Buffer.from('id,name\n'), Buffer.from([0xd6, 0xd0, 0xce, 0xc4, 0x0a])]),
        'skills.csv': null,
        'verb-categories.csv': editLine('verb_iri,', 'verb,category,display_zh,display_en'),
        'district.json': (text) => text.replace('"towns": 19', '"towns": "19"'),
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: 'towns.csv',
          line: lineOf('towns.csv', 'T02,'),
          column: 3,
          rule: 'csv-quote',
        }),
        expect.objectContaining({ file: 'schools.csv', rule: 'encoding' }),
        expect.objectContaining({ file: 'skills.csv', rule: 'missing-file' }),
        expect.objectContaining({ file: 'verb-categories.csv', field: 'verb_iri', rule: 'required-column' }),
        expect.objectContaining({ file: 'district.json', field: 'expectations.towns', rule: 'invalid_type' }),
      ]),
    );
  });

  it('rejects a budget row whose town name does not match towns.csv, and a second TOTAL row', async () => {
    const problems = await problemsOf(
      dataWith({
        'budget-2015.csv': (text) =>
          editCell('2,T02,', 3, '石桥铺')(text) + ',TOTAL,合计,2015,,,,,,,,,,,,1.00\n',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          line: lineOf('budget-2015.csv', '2,T02,'),
          column: 3,
          rule: 'name-mismatch',
        }),
        expect.objectContaining({ rule: 'count', message: 'expected exactly one TOTAL (合计) row, found 2' }),
      ]),
    );
  });
});

describe('loadReferenceData warnings', () => {
  it('takes census figures without code changes and then no longer calls them illustrative', async () => {
    const census = original('population.csv')
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .map((line) =>
        line.startsWith('T') ? line.replace(/,illustrative,.*$/, ',census,第七次人口普查') : line,
      )
      .join('\n')
      .replace(/^T01,金凤镇,\d+/m, 'T01,金凤镇,41234');
    const data = await loadReferenceData(dataWith({ 'population.csv': census }));
    expect(data.towns[0].population).toBe(41234);
    expect(data.towns[0].populationStatus).toBe('census');
    expect(byCode(data, 'population.illustrative')).toEqual([]);
    expect(data.inconsistencies.filter((i) => i.file === REFERENCE_FILES.population)).toEqual([]);
  });

  it('warns when the towns do not add up to the district population', async () => {
    const data = await loadReferenceData(dataWith({ 'population.csv': editCell('T03,', 3, '428000') }));
    const [warning] = byCode(data, 'population.total-vs-district');
    expect(warning).toMatchObject({ stated: 1_200_000, computed: 1_500_000, difference: -300_000 });
  });

  it('warns, without failing, about a school below the 20-computer minimum', async () => {
    const data = await loadReferenceData(dataWith({ 'schools.csv': editCell('S05,', 4, '12') }));
    expect(byCode(data, 'school.computers-below-minimum')).toEqual([
      expect.objectContaining({ file: 'schools.csv', line: lineOf('schools.csv', 'S05,'), stated: 12 }),
    ]);
  });

  it('reads a file saved by a spreadsheet: BOM, CRLF, quoted cells and unnamed empty trailing columns', async () => {
    const excel =
      '\uFEFF' +
      original('schools.csv')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (line.startsWith('#') ? line : `${line.replace(/^(S\d\d),([^,]*),/, '$1,"$2",')},,`))
        .join('\r\n');
    const data = await loadReferenceData(dataWith({ 'schools.csv': excel }));
    expect(data.schools).toEqual((await loadReferenceData()).schools);
    expect(byCode(data, 'csv.unknown-column')).toEqual([]);
  });

  it('ignores an extra column a clerk added, with a warning', async () => {
    const data = await loadReferenceData(
      dataWith({
        'towns.csv': (text) =>
          text
            .split('\n')
            .map((line) => (line === '' || line.startsWith('#') ? line : `${line},x`))
            .join('\n'),
      }),
    );
    expect(byCode(data, 'csv.unknown-column')).toEqual([
      expect.objectContaining({ file: 'towns.csv', line: lineOf('towns.csv', 'id,') }),
    ]);
  });
});
