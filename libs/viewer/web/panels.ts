import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

import type { Column, Panel, QueryResult } from './api';
import {
  formatCell,
  formatNumber,
  isNumberColumn,
  isTimeColumn,
  numberValue,
  timeValue,
  unitOf,
} from './format';
import { formatDateTime } from './time-range';

echarts.use([
  LineChart,
  BarChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

/** What a panel shows; the end-to-end test reads it from `data-state`. */
export type PanelState = 'loading' | 'data' | 'nodata' | 'error' | 'unavailable';

/** Grafana's classic palette, so the colours look familiar to someone who knows the Grafana version. */
const PALETTE = [
  '#7eb26d',
  '#eab839',
  '#6ed0e0',
  '#ef843c',
  '#e24d42',
  '#1f78c1',
  '#ba43a9',
  '#705da0',
  '#508642',
  '#cca300',
];

export const NO_DATA = '无数据 · No data';

export interface Rendered {
  readonly state: PanelState;
  readonly chart?: echarts.ECharts;
}

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string) => {
  const node = document.createElement(tag);
  if (className !== undefined) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

export function renderMessage(body: HTMLElement, state: PanelState, message: string): Rendered {
  body.replaceChildren(el('div', `panel-message panel-${state}`, message));
  return { state };
}

/** Draws a query result in the panel body according to the panel type. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

export function renderPanel(
  body: HTMLElement,
  panel: Panel,
  result: QueryResult,
  timezone: string,
  range: TimeRange,
): Rendered {
  if (result.rows.length === 0) return renderMessage(body, 'nodata', NO_DATA);
  switch (panel.type) {
    case 'timeseries':
    case 'graph':
      return timeSeries(body, panel, result, timezone, range);
    case 'barchart':
    case 'bargauge':
      return barChart(body, panel, result);
    case 'piechart':
      return pieChart(body, panel, result);
    case 'stat':
    case 'gauge':
      return stat(body, panel, result);
    default:
      return table(body, panel, result, timezone);
  }
}

function chartIn(body: HTMLElement): echarts.ECharts {
  const host = el('div', 'chart');
  body.replaceChildren(host);
  return echarts.init(host, undefined, { renderer: 'canvas' });
}

const baseOption = {
  animation: false,
  color: PALETTE,
  textStyle: { fontFamily: 'inherit' },
  tooltip: { trigger: 'axis' as const, confine: true },
  legend: { type: 'scroll' as const, bottom: 0, textStyle: { fontSize: 11 } },
  grid: { left: 8, right: 16, top: 12, bottom: 34, containLabel: true },
};

/**
 * Time series in the ClickHouse plugin's long format (time, label columns, value columns) become one line
 * per label combination and value column, as the plugin's long-to-wide conversion does.
 */
function timeSeries(
  body: HTMLElement,
  panel: Panel,
  result: QueryResult,
  timezone: string,
  range: TimeRange,
): Rendered {
  const { columns, rows } = result;
  const timeIndex = columns.findIndex(isTimeColumn);
  if (timeIndex === -1)
    return renderMessage(body, 'error', 'time series needs a time column (DateTime) in its result');
  const labels = columns
    .map((c, i) => ({ c, i }))
    .filter(({ c, i }) => i !== timeIndex && !isNumberColumn(c));
  const values = columns.map((c, i) => ({ c, i })).filter(({ c, i }) => i !== timeIndex && isNumberColumn(c));
  const series = new Map<string, { unit: string | undefined; points: [number, number | null][] }>();
  for (const row of rows) {
    const t = timeValue(row[timeIndex], columns[timeIndex], timezone);
    if (t === null) continue;
    const key = labels.map(({ i }) => String(row[i] ?? '')).join(' · ');
    for (const { c, i } of values) {
      const name = key === '' ? c.name : values.length > 1 ? `${key} ${c.name}` : key;
      let s = series.get(name);
      if (s === undefined) series.set(name, (s = { unit: unitOf(panel, c.name), points: [] }));
      s.points.push([t, numberValue(row[i])]);
    }
  }
  const hasValue = [...series.values()].some((s) => s.points.some(([, v]) => v !== null));
  if (!hasValue) return renderMessage(body, 'nodata', NO_DATA);
  const stacked = panel.fieldConfig?.defaults?.custom?.stacking?.mode === 'normal';
  const unit = panel.fieldConfig?.defaults?.unit;
  const times = [...new Set([...series.values()].flatMap((s) => s.points.map(([t]) => t)))].sort(
    (a, b) => a - b,
  );
  // The axis spans the dashboard's range, as in Grafana, not just the times that have values.
  const spanMs = range.to - range.from;
  if (stacked) {
    // ECharts stacks by position, so every series gets every time; a missing value counts 0, as when Grafana stacks.
    for (const s of series.values()) {
      const byTime = new Map(s.points);
      s.points = times.map((t) => [t, byTime.get(t) ?? 0]);
    }
  }
  const chart = chartIn(body);
  chart.setOption({
    ...baseOption,
    tooltip: {
      ...baseOption.tooltip,
      valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v, unit) : '—'),
    },
    xAxis: {
      type: 'time',
      min: range.from,
      max: range.to,
      axisLabel: {
        hideOverlap: true,
        // Days for ranges of days, clock times within a day or two.
        formatter: (ms: number) =>
          formatDateTime(ms, timezone).slice(...(spanMs > 2 * 86_400_000 ? [5, 10] : [11, 16])),
      },
    },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatNumber(v, unit) } },
    series: [...series.entries()].map(([name, s]) => ({
      name,
      type: 'line',
      showSymbol: s.points.length < 40,
      connectNulls: false,
      stack: stacked ? 'total' : undefined,
      areaStyle: stacked ? { opacity: 0.35 } : undefined,
      lineStyle: { width: 1.5 },
      data: s.points,
    })),
  });
  return { state: 'data', chart };
}

/** Bar chart: the first text column is the category axis, each numeric column a series (Grafana's rule). */
function barChart(body: HTMLElement, panel: Panel, result: QueryResult): Rendered {
  const { columns, rows } = result;
  const categoryIndex = columns.findIndex((c) => !isNumberColumn(c));
  const values = columns
    .map((c, i) => ({ c, i }))
    .filter(({ c, i }) => i !== categoryIndex && isNumberColumn(c));
  if (values.length === 0)
    return renderMessage(body, 'error', 'bar chart needs a numeric column in its result');
  const categories = rows.map((row, n) =>
    categoryIndex === -1 ? String(n + 1) : String(row[categoryIndex] ?? ''),
  );
  const data = values.map(({ i }) => rows.map((row) => numberValue(row[i])));
  if (data.every((d) => d.every((v) => v === null))) return renderMessage(body, 'nodata', NO_DATA);
  const horizontal = panel.type === 'bargauge' || panel.options?.orientation === 'horizontal';
  const stacked = panel.options?.stacking === 'normal' || panel.options?.stacking === 'percent';
  const unit = panel.fieldConfig?.defaults?.unit;
  // Few categories: upright labels wrapped to their slot; many: rotated as the panel says, shortened.
  const slot = Math.max(40, (body.clientWidth - 80) / Math.max(1, categories.length) - 8);
  const upright = horizontal || categories.length <= 8;
  const category = {
    type: 'category' as const,
    data: categories,
    axisLabel: {
      interval: 0,
      fontSize: 11,
      rotate: upright ? 0 : Math.abs(panel.options?.xTickLabelRotation ?? 0),
      width: horizontal ? 180 : upright ? slot : 110,
      overflow: upright && !horizontal ? ('break' as const) : ('truncate' as const),
    },
    inverse: horizontal,
  };
  const value = { type: 'value' as const, axisLabel: { formatter: (v: number) => formatNumber(v, unit) } };
  const chart = chartIn(body);
  chart.setOption({
    ...baseOption,
    tooltip: {
      ...baseOption.tooltip,
      axisPointer: { type: 'shadow' },
      valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v, unit) : '—'),
    },
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? category : value,
    series: values.map(({ c }, n) => ({
      name: c.name,
      type: 'bar',
      stack: stacked ? 'total' : undefined,
      barMaxWidth: 48,
      data: data[n],
    })),
  });
  return { state: 'data', chart };
}

function pieChart(body: HTMLElement, panel: Panel, result: QueryResult): Rendered {
  const { columns, rows } = result;
  const labelIndex = columns.findIndex((c) => !isNumberColumn(c));
  const valueIndex = columns.findIndex(isNumberColumn);
  if (valueIndex === -1)
    return renderMessage(body, 'error', 'pie chart needs a numeric column in its result');
  // One row of several numbers: one slice per column; otherwise one slice per row.
  const slices =
    labelIndex === -1 && rows.length === 1
      ? columns.map((c, i) => ({ name: c.name, value: numberValue(rows[0][i]) }))
      : rows.map((row, n) => ({
          name: labelIndex === -1 ? String(n + 1) : String(row[labelIndex] ?? ''),
          value: numberValue(row[valueIndex]),
        }));
  const unit = panel.fieldConfig?.defaults?.unit;
  const chart = chartIn(body);
  chart.setOption({
    ...baseOption,
    tooltip: {
      trigger: 'item',
      confine: true,
      valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v, unit) : '—'),
    },
    series: [{ type: 'pie', radius: ['35%', '70%'], center: ['50%', '45%'], data: slices }],
  });
  return { state: 'data', chart };
}

/** Stat: one big value per numeric column, the last non-null value (the panels' `lastNotNull`). */
function stat(body: HTMLElement, panel: Panel, result: QueryResult): Rendered {
  const { columns, rows } = result;
  const grid = el('div', 'stat-grid');
  let shown = 0;
  columns.forEach((c, i) => {
    if (!isNumberColumn(c)) return;
    let value: number | null = null;
    for (const row of rows) value = numberValue(row[i]) ?? value;
    const cell = el('div', 'stat');
    cell.append(
      el('div', 'stat-value', value === null ? '—' : formatNumber(value, unitOf(panel, c.name))),
      el('div', 'stat-name', c.name),
    );
    grid.append(cell);
    if (value !== null) shown++;
  });
  if (shown === 0) return renderMessage(body, 'nodata', NO_DATA);
  body.replaceChildren(grid);
  return { state: 'data' };
}

function table(body: HTMLElement, panel: Panel, result: QueryResult, timezone: string): Rendered {
  const wrap = el('div', 'table-wrap');
  const tableEl = el('table', 'data-table');
  const head = el('thead');
  const headRow = el('tr');
  for (const c of result.columns) headRow.append(el('th', isNumberColumn(c) ? 'num' : undefined, c.name));
  head.append(headRow);
  const tbody = el('tbody');
  for (const row of result.rows) {
    const tr = el('tr');
    result.columns.forEach((c: Column, i) =>
      tr.append(el('td', isNumberColumn(c) ? 'num' : undefined, formatCell(row[i], c, panel, timezone))),
    );
    tbody.append(tr);
  }
  tableEl.append(head, tbody);
  wrap.append(tableEl);
  body.replaceChildren(wrap);
  return { state: 'data' };
}
