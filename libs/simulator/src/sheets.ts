import { parseDate, weekdayOf, dateOf } from './activity';
import { SHEET_COLUMNS, type ClassroomSheet, type SheetRow } from './types';

/** Groups paper sign-in rows into one sheet per learning point and week (Monday to Sunday). */
export function buildClassroomSheets(rows: readonly SheetRow[]): ClassroomSheet[] {
  const groups = new Map<string, SheetRow[]>();
  for (const row of rows) {
    const key = `${row.learningPointId}|${mondayOf(row.date)}`;
    const group = groups.get(key) ?? [];
    group.push(row);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, group]) => {
      const [learningPointId, weekStart] = key.split('|');
      const sorted = [...group].sort(
        (a, b) =>
          compare(a.date, b.date) ||
          compare(a.learner, b.learner) ||
          OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome],
      );
      return { learningPointId, weekStart, rows: sorted, csv: toCsv(sorted) };
    });
}

const OUTCOME_ORDER: Record<SheetRow['outcome'], number> = {
  attended: 0,
  completed: 1,
  failed: 2,
  passed: 3,
};

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function mondayOf(date: string): string {
  const calendar = parseDate(date);
  const weekday = weekdayOf(calendar, 0);
  return dateOf(calendar, -((weekday + 6) % 7));
}

/** CSV as the gateway's attendance upload reads it (RFC 4180; no cell needs quoting here, but quote if one does). */
export function toCsv(rows: readonly SheetRow[]): string {
  const lines = [SHEET_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(
      [row.learner, row.date, row.session, row.learningPointId, row.module, row.outcome, row.score ?? '']
        .map((cell) => quote(String(cell)))
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
