import type { Column, Panel } from './api';
import { formatDateTime } from './time-range';

const TIME_TYPE = /^(Nullable\()?(LowCardinality\()?(DateTime64|DateTime|Date32|Date)\b/;
const NUMBER_TYPE = /^(Nullable\()?(U?Int\d+|Float\d+|Decimal)/;

export const isTimeColumn = (c: Column) => TIME_TYPE.test(c.type);
export const isNumberColumn = (c: Column) => NUMBER_TYPE.test(c.type);
export const isDateOnly = (c: Column) => /^(Nullable\()?(Date|Date32)\b(?!Time)/.test(c.type);

/** A value of a time column as epoch ms: DateTime arrives as epoch ms (a number or a 64-bit string), Date as a local day. */
export function timeValue(value: unknown, column: Column, timezone: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  const text = String(value);
  if (/^-?\d+$/.test(text)) return Number(text);
  if (isDateOnly(column))
    return Date.parse(`${text}T00:00:00Z`) - (timezone === 'Asia/Shanghai' ? 8 * 3_600_000 : 0);
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** 64-bit integers arrive as JSON strings (no silent precision loss); charts need numbers. */
export function numberValue(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** The unit Grafana would apply to a field: a by-name override, else the panel default. */
export function unitOf(panel: Panel, field: string): string | undefined {
  for (const override of panel.fieldConfig?.overrides ?? []) {
    if (override.matcher.id !== 'byName' || override.matcher.options !== field) continue;
    const unit = override.properties.find((p) => p.id === 'unit');
    if (unit !== undefined && typeof unit.value === 'string') return unit.value;
  }
  return panel.fieldConfig?.defaults?.unit;
}

function plain(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function duration(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 60) return `${plain(Math.round(seconds * 10) / 10)} s`;
  if (abs < 3600) return `${plain(Math.round((seconds / 60) * 10) / 10)} min`;
  if (abs < 86400) return `${plain(Math.round((seconds / 3600) * 10) / 10)} h`;
  return `${plain(Math.round((seconds / 86400) * 10) / 10)} d`;
}

/** A number in a Grafana unit (the ones the dashboards use, and a few common ones). */
export function formatNumber(n: number, unit: string | undefined): string {
  switch (unit) {
    case 'percentunit':
      return `${plain(Math.round(n * 1000) / 10)}%`;
    case 'percent':
      return `${plain(Math.round(n * 10) / 10)}%`;
    case 's':
      return duration(n);
    case 'ms':
      return n < 1000 ? `${plain(n)} ms` : duration(n / 1000);
    case 'm':
      return duration(n * 60);
    case 'h':
      return duration(n * 3600);
    case 'd':
      return `${plain(Math.round(n * 10) / 10)} d`;
    case 'reqps':
      return `${plain(n)} req/s`;
    case 'currencyCNY':
      return `¥${plain(n)}`;
    default:
      return plain(n);
  }
}

export function formatCell(value: unknown, column: Column, panel: Panel, timezone: string): string {
  if (value === null || value === undefined) return '—';
  if (isTimeColumn(column)) {
    const ms = timeValue(value, column, timezone);
    return ms === null ? String(value) : formatDateTime(ms, timezone, !isDateOnly(column));
  }
  if (isNumberColumn(column)) {
    const n = numberValue(value);
    return n === null ? String(value) : formatNumber(n, unitOf(panel, column.name));
  }
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
