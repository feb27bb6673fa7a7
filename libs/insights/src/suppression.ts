import { parentKey, parentPeriod, type Period } from './periods';

/**
 * One cell of the cube a metric query computes: a whole period at one level of the time grid, and a value
 * for each grouping dimension or ALL (`null`) for the dimensions the cell is summed over.
 */
export interface CubeCell {
  readonly level: Period;
  /** First day of the period, YYYY-MM-DD. */
  readonly period: string;
  /** One entry per dimension of the query (group-by and filter dimensions); null = all values. */
  readonly key: readonly (string | null)[];
  /** Distinct learners in the cell: what the threshold is about. */
  readonly learners: number;
}

/**
 * Small-cell protection, decided for a whole cube at once so that every published number is safe against
 * the other numbers of the same response and of any other response:
 *
 * 1. Primary: a cell with fewer than k distinct learners is suppressed.
 * 2. Inheritance: a cell whose parent is suppressed is suppressed too. Parents are the same cell with one
 *    dimension summed over (town × gender → town, → gender) and the same cell in the enclosing period
 *    (day → week → month). So a suppressed number can never be rebuilt by adding up published finer cells.
 * 3. Lines (secondary suppression): the cells that add up to a parent form a line. In every line that
 *    holds suppressed cells, at least two are suppressed and together they hold at least k learners
 *    (learner counts summed), so parent minus the published cells of the line, whichever query published
 *    the parent, gives only a total over k or more learners. Cells are added smallest first.
 *
 * Decisions are made from the coarsest tables down (months before weeks before days, fewer dimensions
 * before more) and depend only on the cell's own ancestors and lines, never on the requested range or
 * filters: the same cell gets the same decision in every query, which is what defeats differencing.
 */
export function decideSuppression(
  cells: readonly CubeCell[],
  k: number,
  levels: readonly Period[],
): Map<CubeCell, boolean> {
  const suppressed = new Map<CubeCell, boolean>();
  const index = new Map<string, CubeCell>();
  const id = (level: Period, period: string, key: readonly (string | null)[]) =>
    `${level}|${period}|${JSON.stringify(key)}`;
  for (const cell of cells) index.set(id(cell.level, cell.period, cell.key), cell);

  const maskOf = (key: readonly (string | null)[]) => key.map((v) => (v === null ? '0' : '1')).join('');
  const tables = new Map<string, CubeCell[]>();
  for (const cell of cells) {
    const name = `${cell.level}|${maskOf(cell.key)}`;
    const table = tables.get(name) ?? [];
    table.push(cell);
    tables.set(name, table);
  }
  const order = [...tables.keys()].sort((a, b) => {
    const [levelA, maskA] = a.split('|');
    const [levelB, maskB] = b.split('|');
    const byLevel = levels.indexOf(levelA as Period) - levels.indexOf(levelB as Period);
    if (byLevel !== 0) return byLevel;
    const ones = (mask: string) => mask.split('').filter((c) => c === '1').length;
    return ones(maskA) - ones(maskB) || maskA.localeCompare(maskB);
  });

  for (const name of order) {
    const table = tables.get(name) ?? [];
    for (const cell of table) {
      let hidden = cell.learners < k;
      // Inheritance from every parent already decided (parents absent from the cube have no learners).
      cell.key.forEach((value, i) => {
        if (value === null || hidden) return;
        const parentKeyValues = cell.key.map((v, j) => (j === i ? null : v));
        const parent = index.get(id(cell.level, cell.period, parentKeyValues));
        if (parent && suppressed.get(parent)) hidden = true;
      });
      const up = parentPeriod(cell.level);
      if (!hidden && up && levels.includes(up)) {
        const parent = index.get(id(up, parentKey(cell.level, cell.period), cell.key));
        if (parent && suppressed.get(parent)) hidden = true;
      }
      suppressed.set(cell, hidden);
    }
    closeLines(table, suppressed, k, levels);
  }
  return suppressed;
}

function closeLines(
  table: readonly CubeCell[],
  suppressed: Map<CubeCell, boolean>,
  k: number,
  levels: readonly Period[],
): void {
  if (table.length === 0) return;
  const lines: CubeCell[][] = [];
  const group = (lineKey: (cell: CubeCell) => string) => {
    const byKey = new Map<string, CubeCell[]>();
    for (const cell of table) {
      const key = lineKey(cell);
      byKey.set(key, [...(byKey.get(key) ?? []), cell]);
    }
    lines.push(...byKey.values());
  };
  const sample = table[0];
  sample.key.forEach((value, i) => {
    if (value === null) return;
    group((cell) => `${cell.period}|${JSON.stringify(cell.key.map((v, j) => (j === i ? '*' : v)))}`);
  });
  const up = parentPeriod(sample.level);
  if (up && levels.includes(up)) {
    group((cell) => `${parentKey(cell.level, cell.period)}|${JSON.stringify(cell.key)}`);
  }

  let changed = true;
  while (changed) {
    changed = false;
    for (const line of lines) {
      const hidden = line.filter((cell) => suppressed.get(cell));
      if (hidden.length === 0) continue;
      const hiddenLearners = hidden.reduce((sum, cell) => sum + cell.learners, 0);
      if (hidden.length >= 2 && hiddenLearners >= k) continue;
      const candidates = line
        .filter((cell) => !suppressed.get(cell))
        .sort((a, b) => a.learners - b.learners || compareCells(a, b));
      if (candidates.length === 0) continue;
      suppressed.set(candidates[0], true);
      changed = true;
    }
  }
}

function compareCells(a: CubeCell, b: CubeCell): number {
  return a.period.localeCompare(b.period) || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key));
}
