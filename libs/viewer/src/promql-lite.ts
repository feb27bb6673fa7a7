/**
 * The few PromQL shapes the dashboards use, evaluated over a MetricsHistory:
 *   sum|min|max|avg [by (labels)] (inner)      inner: rate|increase(selector[range]) or a selector
 *   selector: name{label="v", label=~"regex", label!="v", label!~"regex"}
 * Anything else is refused with a message naming what is not supported.
 */
import type { MetricsHistory, Series } from './metrics-history';

export class PromQlError extends Error {
  override readonly name = 'PromQlError';
}

interface Matcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}
interface Selector {
  readonly kind: 'selector';
  readonly metric: string;
  readonly matchers: readonly Matcher[];
}
interface RangeFunction {
  readonly kind: 'range';
  readonly fn: 'rate' | 'increase';
  readonly selector: Selector;
  readonly rangeMs: number;
}
interface Aggregation {
  readonly kind: 'aggregation';
  readonly op: 'sum' | 'min' | 'max' | 'avg';
  readonly by: readonly string[];
  readonly inner: Expression;
}
type Expression = Selector | RangeFunction | Aggregation;

const DURATION_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (match === null) throw new PromQlError(`unsupported duration ${JSON.stringify(text)}`);
  return Number(match[1]) * DURATION_MS[match[2]];
}

function parseSelector(text: string): Selector {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?$/s.exec(text.trim());
  if (match === null) throw new PromQlError(`unsupported selector ${JSON.stringify(text)}`);
  const matchers: Matcher[] = [];
  const body = match[2] ?? '';
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;
  let consumed = 0;
  for (let m = re.exec(body); m !== null; m = re.exec(body)) {
    matchers.push({ label: m[1], op: m[2] as Matcher['op'], value: m[3].replace(/\\(.)/g, '$1') });
    consumed = re.lastIndex;
  }
  if (body.slice(consumed).trim() !== '') throw new PromQlError(`unsupported label matchers {${body}}`);
  return { kind: 'selector', metric: match[1], matchers };
}

/** Splits `name (args)` where args runs to the bracket that closes the first one. */
function call(text: string): { head: string; args: string } | undefined {
  const open = text.indexOf('(');
  if (open === -1 || !text.trimEnd().endsWith(')')) return undefined;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) {
      if (text.slice(i + 1).trim() !== '') return undefined;
      return { head: text.slice(0, open).trim(), args: text.slice(open + 1, i) };
    }
  }
  return undefined;
}

const labelList = (text: string) =>
  text
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** `op by (labels) (inner)` or `op (inner) by (labels)`. */
function parseAggregation(text: string): Aggregation | undefined {
  const head = /^(sum|min|max|avg)\s*(?:by\s*\(([^)]*)\)\s*)?\(/.exec(text);
  if (head === null) return undefined;
  const open = head[0].length - 1;
  let depth = 0;
  let close = -1;
  for (let i = open; i < text.length && close === -1; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) close = i;
  }
  if (close === -1) throw new PromQlError(`unbalanced brackets in ${JSON.stringify(text)}`);
  const rest = text.slice(close + 1).trim();
  const trailingBy = /^by\s*\(([^)]*)\)$/.exec(rest);
  if (rest !== '' && (trailingBy === null || head[2] !== undefined)) {
    throw new PromQlError(`unsupported PromQL after ${head[1]}(…): ${JSON.stringify(rest)}`);
  }
  return {
    kind: 'aggregation',
    op: head[1] as Aggregation['op'],
    by: labelList(head[2] ?? trailingBy?.[1] ?? ''),
    inner: parsePromQl(text.slice(open + 1, close)),
  };
}

export function parsePromQl(expr: string): Expression {
  const text = expr.trim();
  const aggregation = parseAggregation(text);
  if (aggregation !== undefined) return aggregation;
  const c = call(text);
  if (c === undefined) return parseSelector(text);
  if (c.head === 'rate' || c.head === 'increase') {
    const range = /^(.*)\[([^\]]+)\]\s*$/s.exec(c.args.trim());
    if (range === null) throw new PromQlError(`${c.head}() needs a range selector`);
    return { kind: 'range', fn: c.head, selector: parseSelector(range[1]), rangeMs: parseDuration(range[2]) };
  }
  throw new PromQlError(`unsupported PromQL function ${JSON.stringify(c.head)}`);
}

function matches(series: Series, matchers: readonly Matcher[]): boolean {
  return matchers.every((m) => {
    const value = series.labels[m.label] ?? '';
    switch (m.op) {
      case '=':
        return value === m.value;
      case '!=':
        return value !== m.value;
      case '=~':
        return new RegExp(`^(?:${m.value})$`).test(value);
      case '!~':
        return !new RegExp(`^(?:${m.value})$`).test(value);
    }
  });
}

export interface ResultSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** One value per step (null where there is none). */
  readonly values: (number | null)[];
}

/** Prometheus's lookback for an instant selector. */
const LOOKBACK_MS = 5 * 60_000;

function evaluate(e: Expression, history: MetricsHistory, steps: readonly number[]): ResultSeries[] {
  switch (e.kind) {
    case 'selector':
      return history
        .select(e.metric)
        .filter((s) => matches(s, e.matchers))
        .map((s) => ({
          labels: s.labels,
          values: steps.map((t) => {
            let value: number | null = null;
            for (const [at, v] of s.points) if (at <= t && at > t - LOOKBACK_MS) value = v;
            return value;
          }),
        }));
    case 'range':
      return history
        .select(e.selector.metric)
        .filter((s) => matches(s, e.selector.matchers))
        .map((s) => ({
          labels: s.labels,
          values: steps.map((t) => {
            const window = s.points.filter(([at]) => at <= t && at > t - e.rangeMs);
            if (window.length < 2) return null;
            let increase = 0;
            for (let i = 1; i < window.length; i++) {
              const delta = window[i][1] - window[i - 1][1];
              increase += delta >= 0 ? delta : window[i][1]; // a counter reset starts again from 0
            }
            if (e.fn === 'increase') return increase;
            return increase / ((window[window.length - 1][0] - window[0][0]) / 1000);
          }),
        }));
    case 'aggregation': {
      const groups = new Map<string, { labels: Record<string, string>; members: ResultSeries[] }>();
      for (const s of evaluate(e.inner, history, steps)) {
        const labels = Object.fromEntries(e.by.map((l) => [l, s.labels[l] ?? '']));
        const key = JSON.stringify(labels);
        let group = groups.get(key);
        if (group === undefined) groups.set(key, (group = { labels, members: [] }));
        group.members.push(s);
      }
      return [...groups.values()].map(({ labels, members }) => ({
        labels,
        values: steps.map((_, i) => {
          const present = members.map((m) => m.values[i]).filter((v): v is number => v !== null);
          if (present.length === 0) return null;
          switch (e.op) {
            case 'sum':
              return present.reduce((a, b) => a + b, 0);
            case 'min':
              return Math.min(...present);
            case 'max':
              return Math.max(...present);
            case 'avg':
              return present.reduce((a, b) => a + b, 0) / present.length;
          }
        }),
      }));
    }
  }
}

/** Evaluates `expr` at every step from `from` to `to`; series named by the legend (`{{label}}`). */
export function queryRange(
  history: MetricsHistory,
  expr: string,
  options: { from: number; to: number; stepMs: number; legendFormat?: string },
): { time: number; series: string; value: number }[] {
  const stepMs = Math.max(options.stepMs, 1000);
  const steps: number[] = [];
  for (
    let t = Math.ceil(options.from / stepMs) * stepMs;
    t <= options.to && steps.length < 11_000;
    t += stepMs
  )
    steps.push(t);
  const rows: { time: number; series: string; value: number }[] = [];
  for (const s of evaluate(parsePromQl(expr), history, steps)) {
    const legend =
      options.legendFormat !== undefined && options.legendFormat !== ''
        ? options.legendFormat.replace(
            /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g,
            (_m, l: string) => s.labels[l] ?? '',
          )
        : JSON.stringify(s.labels);
    s.values.forEach((value, i) => {
      if (value !== null) rows.push({ time: steps[i], series: legend, value });
    });
  }
  return rows.sort((a, b) => a.time - b.time || a.series.localeCompare(b.series));
}

/** Metric names an expression reads (to sample only those). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  const collect = (e: Expression) => {
    if (e.kind === 'selector') names.add(e.metric);
    else if (e.kind === 'range') names.add(e.selector.metric);
    else collect(e.inner);
  };
  collect(parsePromQl(expr));
  return [...names];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Grafana's interpolation for a Prometheus query: `$__rate_interval` (max of interval + scrape and four
 * scrapes), `$__interval`, and variables (`$v`, `${v}`, `${v:regex}`) as regex alternatives, All as every
 * option.
 */
export function interpolatePromQl(
  expr: string,
  variables: Readonly<Record<string, { value: string | readonly string[]; options?: readonly string[] }>>,
  intervalSeconds: number,
  scrapeSeconds: number,
): string {
  const rate = Math.max(intervalSeconds + scrapeSeconds, 4 * scrapeSeconds);
  return expr
    .replace(/\$__rate_interval\b/g, `${Math.round(rate)}s`)
    .replace(/\$__interval\b/g, `${Math.max(1, Math.round(intervalSeconds))}s`)
    .replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (match, braced?: string, format?: string, plain?: string) => {
      const name = braced ?? plain ?? '';
      const selection = variables[name];
      if (selection === undefined) return match;
      if (format !== undefined && format !== 'regex' && format !== 'pipe') {
        throw new PromQlError(`$${name}: format ${format} is not supported in Prometheus queries here`);
      }
      const chosen = typeof selection.value === 'string' ? [selection.value] : selection.value;
      const values = chosen.includes('$__all') ? (selection.options ?? []) : chosen;
      const escaped = values.map(escapeRegex);
      return escaped.length === 1 ? escaped[0] : `(${escaped.join('|')})`;
    });
}
