/**
 * Expands a Grafana ClickHouse-plugin query (`grafana-clickhouse-datasource`, SQL editor) into the SQL the
 * plugin would send to ClickHouse, in the plugin's own order:
 *
 * 1. frontend, `applyConditionalAll`: `$__conditionalAll(condition, $var)` becomes `1=1` when `$var` is All
 *    (or empty), else the condition as written; innermost-last, like the plugin (`lastIndexOf`);
 * 2. frontend, Grafana's template service: `$var`, `${var}`, `${var:format}`, `[[var]]`, plus `$__from`,
 *    `$__to` (epoch ms), `$__interval`, `$__interval_ms`. Without a format the plugin's own formatter
 *    applies: a multi-value becomes `'a','b'`, a single value is inserted as is. Unknown names stay;
 * 3. backend macros (pkg/macros/macros.go): `$__timeFilter(col)` → `col >= toDateTime(from) AND col <=
 *    toDateTime(to)` (whole seconds), `$__timeFilter_ms`, `$__dateFilter`, `$__dateTimeFilter` / `$__dt`,
 *    `$__fromTime`, `$__toTime`, `$__fromTime_ms`, `$__toTime_ms`, `$__timeInterval(col)` →
 *    `toStartOfInterval(toDateTime(col), INTERVAL n second)`, `$__timeInterval_ms`, `$__interval_s`.
 *
 * Used by the dashboard tests and benchmark, and meant for an embedded dashboard viewer: no I/O, no Grafana.
 */

/** The value Grafana stores for a variable whose "All" option is selected. */
export const ALL_VALUE = '$__all';

export interface VariableSelection {
  /** Selected value(s); `ALL_VALUE` (or `[ALL_VALUE]`) for All. */
  readonly value: string | readonly string[];
  /** Every option's value (without All): what All expands to when the variable has no custom allValue. */
  readonly options?: readonly string[];
  /** The variable's custom all value, inserted unformatted when All is selected (Grafana's rule). */
  readonly allValue?: string;
}

export type VariableInput = string | readonly string[] | VariableSelection;

export interface ExpandQueryOptions {
  /** Dashboard time range. */
  readonly from: Date | number;
  readonly to: Date | number;
  /** The panel's interval (`$__interval`), in seconds. */
  readonly intervalSeconds: number;
  readonly variables?: Readonly<Record<string, VariableInput>>;
}

export class QueryExpansionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryExpansionError';
  }
}

export function expandQuery(rawSql: string, options: ExpandQueryOptions): string {
  const from = toDate(options.from, 'from');
  const to = toDate(options.to, 'to');
  if (!(options.intervalSeconds > 0)) throw new QueryExpansionError('intervalSeconds must be positive');
  const variables = normaliseVariables(options.variables ?? {});
  const withConditionals = applyConditionalAll(rawSql, variables);
  const withVariables = replaceTemplateVariables(withConditionals, variables, {
    __from: String(from.getTime()),
    __to: String(to.getTime()),
    __interval: formatInterval(options.intervalSeconds),
    __interval_ms: String(Math.round(options.intervalSeconds * 1000)),
  });
  return applyBackendMacros(withVariables, { from, to, intervalSeconds: options.intervalSeconds });
}

function toDate(value: Date | number, name: string): Date {
  const date = typeof value === 'number' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new QueryExpansionError(`${name} is not a valid time`);
  return date;
}

function normaliseVariables(input: Readonly<Record<string, VariableInput>>): Map<string, VariableSelection> {
  const map = new Map<string, VariableSelection>();
  for (const [name, value] of Object.entries(input)) {
    map.set(
      name,
      typeof value === 'string' || Array.isArray(value) ? { value } : (value as VariableSelection),
    );
  }
  return map;
}

function isAll(selection: VariableSelection): boolean {
  const text = Array.isArray(selection.value) ? selection.value.join(',') : (selection.value as string);
  return text === ALL_VALUE;
}

// ---------------------------------------------------------------- 1. $__conditionalAll (plugin frontend)

const CONDITIONAL_ALL = '$__conditionalAll(';

function applyConditionalAll(sql: string, variables: Map<string, VariableSelection>): string {
  let query = sql;
  let index = query.lastIndexOf(CONDITIONAL_ALL);
  while (index !== -1) {
    const args = macroArgs(query, index + CONDITIONAL_ALL.length - 1);
    // The plugin gives up on a malformed call and leaves the rest as it is.
    if (args.length !== 2) return query;
    const reference = args[1].trim();
    const selection = variables.get(reference.substring(1));
    let phrase = args[0];
    if (selection !== undefined) {
      const text = Array.isArray(selection.value) ? selection.value.join(',') : (selection.value as string);
      if (text === '' || text === ALL_VALUE) phrase = '1=1';
    }
    query = query.replace(`${CONDITIONAL_ALL}${args[0]},${args[1]})`, () => phrase);
    index = query.lastIndexOf(CONDITIONAL_ALL);
  }
  return query;
}

/** The plugin's getMacroArgs: split at commas on bracket depth 1, from the opening bracket to its match. */
function macroArgs(query: string, openIndex: number): string[] {
  const args: string[] = [];
  const text = query.substring(openIndex);
  let depth = 0;
  let lastEnd = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c !== ',') continue;
    if (c === ',' && depth === 1) {
      args.push(text.substring(lastEnd, i));
      lastEnd = i + 1;
    }
    if (depth === 0) {
      args.push(text.substring(lastEnd, i));
      return args;
    }
  }
  return [];
}

// ---------------------------------------------------------------- 2. template variables (Grafana)

// Grafana's variableRegex: $name | [[name:format]] | ${name.fieldPath:format}
const VARIABLE_REGEX = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

function replaceTemplateVariables(
  sql: string,
  variables: Map<string, VariableSelection>,
  builtIns: Readonly<Record<string, string>>,
): string {
  return sql.replace(
    VARIABLE_REGEX,
    (
      match: string,
      simple?: string,
      bracketName?: string,
      bracketFormat?: string,
      name?: string,
      _path?: string,
      format?: string,
    ) => {
      const variableName = simple ?? bracketName ?? name ?? '';
      const fmt = bracketFormat ?? format;
      const builtIn = builtIns[variableName];
      if (builtIn !== undefined) return builtIn;
      const selection = variables.get(variableName);
      if (selection === undefined) return match;
      if (isAll(selection)) {
        // A custom all value is inserted as written (Grafana skips formatting it).
        if (selection.allValue !== undefined) return selection.allValue;
        if (selection.options === undefined) {
          throw new QueryExpansionError(`$${variableName} is All but its options are not given`);
        }
        return formatValue(
          selection.options.filter((o) => o !== ALL_VALUE),
          fmt,
          variableName,
        );
      }
      return formatValue(selection.value, fmt, variableName);
    },
  );
}

function formatValue(value: string | readonly string[], format: string | undefined, name: string): string {
  const values = typeof value === 'string' ? [value] : value;
  const multi = typeof value !== 'string';
  switch (format) {
    case undefined:
      // The ClickHouse plugin's own formatter (CHDatasource.format).
      return multi ? `'${values.join("','")}'` : values[0];
    case 'singlequote':
      return values.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(',');
    case 'doublequote':
      return values.map((v) => `"${v.replace(/"/g, '\\"')}"`).join(',');
    case 'sqlstring':
      return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',');
    case 'csv':
    case 'raw':
      return values.join(',');
    case 'pipe':
      return values.join('|');
    default:
      throw new QueryExpansionError(`$${name}: format ${JSON.stringify(format)} is not supported here`);
  }
}

function formatInterval(seconds: number): string {
  const units: [number, string][] = [
    [86400, 'd'],
    [3600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  for (const [size, unit] of units)
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  return `${Math.round(seconds * 1000)}ms`;
}

// ---------------------------------------------------------------- 3. backend macros (plugin's Go code)

interface MacroContext {
  readonly from: Date;
  readonly to: Date;
  readonly intervalSeconds: number;
}

const unix = (d: Date) => Math.floor(d.getTime() / 1000);
const dateTime = (d: Date) => `toDateTime(${unix(d)})`;
const dateTime64 = (d: Date) => `fromUnixTimestamp64Milli(${d.getTime()})`;
const utcDate = (d: Date) => `toDate('${d.toISOString().slice(0, 10)}')`;

function expectArgs(name: string, args: readonly string[], count: number): void {
  if (args.length !== count) {
    throw new QueryExpansionError(`$__${name}: expected ${count} argument(s), received ${args.length}`);
  }
}

const MACROS: Readonly<Record<string, (ctx: MacroContext, args: string[]) => string>> = {
  fromTime: (c) => dateTime(c.from),
  toTime: (c) => dateTime(c.to),
  fromTime_ms: (c) => dateTime64(c.from),
  toTime_ms: (c) => dateTime64(c.to),
  timeFilter: (c, a) => {
    expectArgs('timeFilter', a, 1);
    return `${a[0]} >= ${dateTime(c.from)} AND ${a[0]} <= ${dateTime(c.to)}`;
  },
  timeFilter_ms: (c, a) => {
    expectArgs('timeFilter_ms', a, 1);
    return `${a[0]} >= ${dateTime64(c.from)} AND ${a[0]} <= ${dateTime64(c.to)}`;
  },
  dateFilter: (c, a) => {
    expectArgs('dateFilter', a, 1);
    return `${a[0]} >= ${utcDate(c.from)} AND ${a[0]} <= ${utcDate(c.to)}`;
  },
  dateTimeFilter: (c, a) => dateTimeFilter(c, a, 'dateTimeFilter'),
  dt: (c, a) => dateTimeFilter(c, a, 'dt'),
  timeInterval: (c, a) => {
    expectArgs('timeInterval', a, 1);
    return `toStartOfInterval(toDateTime(${a[0]}), INTERVAL ${Math.trunc(Math.max(c.intervalSeconds, 1))} second)`;
  },
  timeInterval_ms: (c, a) => {
    expectArgs('timeInterval_ms', a, 1);
    const ms = Math.trunc(Math.max(c.intervalSeconds * 1000, 1));
    return `toStartOfInterval(toDateTime64(${a[0]}, 3), INTERVAL ${ms} millisecond)`;
  },
  interval_s: (c) => String(Math.trunc(Math.max(c.intervalSeconds, 1))),
};

function dateTimeFilter(c: MacroContext, a: string[], name: string): string {
  expectArgs(name, a, 2);
  const [dateColumn, timeColumn] = a;
  return (
    `(${dateColumn} >= ${utcDate(c.from)} AND ${dateColumn} <= ${utcDate(c.to)}) AND ` +
    `(${timeColumn} >= ${dateTime(c.from)} AND ${timeColumn} <= ${dateTime(c.to)})`
  );
}

// `$__name` not followed by a word character; arguments only when `(` follows at once.
const MACRO_REGEX = /\$__([A-Za-z_]+)(?![\w])/g;

function applyBackendMacros(sql: string, ctx: MacroContext): string {
  let out = '';
  let last = 0;
  MACRO_REGEX.lastIndex = 0;
  for (let m = MACRO_REGEX.exec(sql); m !== null; m = MACRO_REGEX.exec(sql)) {
    const macro = MACROS[m[1]];
    if (macro === undefined) continue;
    let end = m.index + m[0].length;
    let args: string[] = [];
    if (sql[end] === '(') {
      const close = matchingBracket(sql, end);
      args = splitTopLevel(sql.substring(end + 1, close)).map((s) => s.trim());
      end = close + 1;
    }
    out += sql.substring(last, m.index) + macro(ctx, args);
    last = end;
    MACRO_REGEX.lastIndex = end;
  }
  return out + sql.substring(last);
}

function matchingBracket(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')' && --depth === 0) return i;
  }
  throw new QueryExpansionError(`unbalanced brackets after position ${open}`);
}

function splitTopLevel(text: string): string[] {
  if (text.trim() === '') return [];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.substring(start, i));
      start = i + 1;
    }
  }
  parts.push(text.substring(start));
  return parts;
}

/** Names of the dashboard variables a query refers to (`$x`, `${x...}`, `[[x]]`), built-ins excluded. */
export function referencedVariables(rawSql: string): string[] {
  const names = new Set<string>();
  for (const m of rawSql.matchAll(VARIABLE_REGEX)) {
    const name = m[1] ?? m[2] ?? m[4];
    if (name !== undefined && !name.startsWith('__')) names.add(name);
  }
  return [...names];
}
