/** Grafana's relative times (`now`, `now-30d`, `now/d`, `now-7d/d`) and absolute epoch ms, as in its URLs. */

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

/** Offset of the dashboard's time zone (Asia/Shanghai has no daylight saving). */
const ZONE_OFFSET_MS: Readonly<Record<string, number>> = { 'Asia/Shanghai': 8 * 3_600_000, utc: 0 };

export function parseTime(text: string, now: number, timezone = 'Asia/Shanghai', roundUp = false): number {
  if (/^\d+$/.test(text)) return Number(text);
  const match = /^now(?:([+-])(\d+)([smhdwMy]))?(?:\/([smhdwMy]))?$/.exec(text);
  if (match === null) throw new Error(`unsupported time ${JSON.stringify(text)}`);
  let t = now;
  if (match[1] !== undefined) t += (match[1] === '-' ? -1 : 1) * Number(match[2]) * UNIT_MS[match[3]];
  const round = match[4];
  if (round !== undefined) {
    const offset = ZONE_OFFSET_MS[timezone] ?? 0;
    const size = UNIT_MS[round];
    const start = Math.floor((t + offset) / size) * size - offset;
    t = roundUp ? start + size - 1 : start;
  }
  return t;
}

export interface QuickRange {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

export const QUICK_RANGES: readonly QuickRange[] = [
  { from: 'now-6h', to: 'now', label: '最近6小时 · Last 6 hours' },
  { from: 'now-24h', to: 'now', label: '最近24小时 · Last 24 hours' },
  { from: 'now-7d', to: 'now', label: '最近7天 · Last 7 days' },
  { from: 'now-30d', to: 'now', label: '最近30天 · Last 30 days' },
  { from: 'now-60d', to: 'now', label: '最近60天 · Last 60 days' },
  { from: 'now-90d', to: 'now', label: '最近90天 · Last 90 days' },
  { from: 'now-1y', to: 'now', label: '最近1年 · Last year' },
];

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:mm:ss` in the dashboard's zone. */
export function formatDateTime(ms: number, timezone = 'Asia/Shanghai', withTime = true): string {
  const d = new Date(ms + (ZONE_OFFSET_MS[timezone] ?? 0));
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return withTime
    ? `${day} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
    : day;
}

/** Midnight of a `YYYY-MM-DD` day in the dashboard's zone, epoch ms. */
export function dayStart(day: string, timezone = 'Asia/Shanghai'): number {
  return Date.parse(`${day}T00:00:00Z`) - (ZONE_OFFSET_MS[timezone] ?? 0);
}
