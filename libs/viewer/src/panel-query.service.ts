import type { Warehouse } from '@app/warehouse';

import {
  ALL_VALUE,
  QueryExpansionError,
  expandQuery,
  type VariableSelection,
} from '../../../dashboards/src/macros';
import {
  allPanels,
  type DashboardCatalog,
  type DashboardJson,
  type DashboardVariable,
} from './dashboard-catalog';
import { panelIntervalSeconds } from './grafana-interval';
import type { MetricsHistory } from './metrics-history';
import { PromQlError, interpolatePromQl, queryRange } from './promql-lite';
import {
  DatasourceUnavailableError,
  PanelQueryError,
  VariableNotFoundError,
  ViewerRequestError,
} from './viewer.errors';

/** The ClickHouse datasource type of the official plugin; other datasources are not the warehouse's. */
export const CLICKHOUSE_DATASOURCE_TYPE = 'grafana-clickhouse-datasource';
export const PROMETHEUS_DATASOURCE_TYPE = 'prometheus';

/** What the browser sends: a time range and, per variable, the selected values (`['$__all']` for All). */
export interface ViewerRequest {
  readonly dashboardUid: string;
  /** Epoch milliseconds. */
  readonly from: number;
  readonly to: number;
  readonly variables?: Readonly<Record<string, readonly string[]>>;
}

export interface PanelQueryRequest extends ViewerRequest {
  readonly panelId: number;
  /** The panel's width in pixels: Grafana's maxDataPoints, from which the interval follows. */
  readonly maxDataPoints?: number;
}

export interface ResultColumn {
  readonly name: string;
  /** ClickHouse type, e.g. `DateTime('Asia/Shanghai')`, `UInt32`, `Nullable(Float64)`. */
  readonly type: string;
}

export interface PanelQueryResult {
  readonly columns: readonly ResultColumn[];
  /** Row-major values in column order; DateTime values as epoch milliseconds (64-bit: as strings). */
  readonly rows: readonly (readonly unknown[])[];
  readonly intervalSeconds: number;
  readonly elapsedMs: number;
}

export interface VariableOption {
  readonly text: string;
  readonly value: string;
}

export interface PanelQueryServiceOptions {
  /** Longest a panel query may run (ClickHouse max_execution_time), seconds. Default 20. */
  readonly maxExecutionSeconds?: number;
  /** How long a query variable's options are reused, ms. Default 30 s. */
  readonly optionsTtlMs?: number;
  readonly now?: () => number;
  /** The process's own metrics over time: answers Prometheus panels when there is no Prometheus. */
  readonly metrics?: MetricsHistory;
}

const READ_ONLY_START = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*(SELECT|WITH)\b/i;

/**
 * Runs the panels and query variables of the generated dashboards on the warehouse, read-only. The SQL
 * always comes from the dashboard file; the browser only chooses the time range and variable values, and
 * each value must be one of the variable's options (a query variable's options come from its own SQL).
 */
export class PanelQueryService {
  private readonly options = new Map<string, { expiresAt: number; options: Promise<VariableOption[]> }>();
  private readonly maxExecutionSeconds: number;
  private readonly optionsTtlMs: number;
  private readonly now: () => number;
  private sessionReadonly: Promise<boolean> | undefined;
  private readonly metrics: MetricsHistory | undefined;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly catalog: DashboardCatalog,
    options: PanelQueryServiceOptions = {},
  ) {
    this.maxExecutionSeconds = options.maxExecutionSeconds ?? 20;
    this.optionsTtlMs = options.optionsTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.metrics = options.metrics;
  }

  async queryPanel(request: PanelQueryRequest): Promise<PanelQueryResult> {
    const range = checkRange(request);
    const dashboard = this.catalog.get(request.dashboardUid);
    const panel = this.catalog.panel(request.dashboardUid, request.panelId);
    const datasourceOf = (t: (typeof panel.targets)[number]) => t.datasource?.type ?? panel.datasource?.type;
    const target = panel.targets.find((t) => datasourceOf(t) === CLICKHOUSE_DATASOURCE_TYPE);
    const promTargets = panel.targets.filter((t) => datasourceOf(t) === PROMETHEUS_DATASOURCE_TYPE);
    if (target?.rawSql === undefined && promTargets.some((t) => t.expr !== undefined)) {
      return this.queryPrometheus(request, dashboard, promTargets, range);
    }
    if (target?.rawSql === undefined) {
      throw new ViewerRequestError(
        `panel ${panel.id} has no ClickHouse query (datasource ${panel.datasource?.type ?? 'unknown'})`,
      );
    }
    const intervalSeconds = panelIntervalSeconds(range.from, range.to, request.maxDataPoints ?? 1000);
    const selections = await this.selections(dashboard, request.variables ?? {}, range);
    const sql = expand(target.rawSql, { ...range, intervalSeconds, variables: selections });
    const started = performance.now();
    const { columns, rows } = await this.runReadOnly(sql);
    return { columns, rows, intervalSeconds, elapsedMs: Math.round(performance.now() - started) };
  }

  /** Prometheus targets, answered from the process's own metrics history (the embedded mode). */
  private async queryPrometheus(
    request: PanelQueryRequest,
    dashboard: DashboardJson,
    targets: readonly { expr?: string; legendFormat?: unknown }[],
    range: { from: number; to: number },
  ): Promise<PanelQueryResult> {
    const metrics = this.metrics;
    if (metrics === undefined) throw new DatasourceUnavailableError(PROMETHEUS_DATASOURCE_TYPE);
    const intervalSeconds = panelIntervalSeconds(
      range.from,
      range.to,
      request.maxDataPoints ?? 1000,
      metrics.intervalMs / 1000,
    );
    const selections = await this.selections(dashboard, request.variables ?? {}, range);
    const started = performance.now();
    try {
      const rows = targets.flatMap((t) =>
        t.expr === undefined
          ? []
          : queryRange(
              metrics,
              interpolatePromQl(t.expr, selections, intervalSeconds, metrics.intervalMs / 1000),
              {
                ...range,
                stepMs: intervalSeconds * 1000,
                ...(typeof t.legendFormat === 'string' && { legendFormat: t.legendFormat }),
              },
            ).map((r) => [r.time, r.series, r.value]),
      );
      return {
        columns: [
          { name: 'time', type: 'DateTime64(3)' },
          { name: 'series', type: 'String' },
          { name: 'value', type: 'Float64' },
        ],
        rows,
        intervalSeconds,
        elapsedMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      if (error instanceof PromQlError) throw new PanelQueryError(error.message);
      throw error;
    }
  }

  /** The options of one variable under the current selection of the variables before it. */
  async variableOptions(request: ViewerRequest & { readonly name: string }): Promise<VariableOption[]> {
    const range = checkRange(request);
    const dashboard = this.catalog.get(request.dashboardUid);
    const list = dashboard.templating.list;
    const index = list.findIndex((v) => v.name === request.name);
    if (index === -1) throw new VariableNotFoundError(request.dashboardUid, request.name);
    const before = await this.selections(
      { ...dashboard, templating: { ...dashboard.templating, list: list.slice(0, index) } },
      request.variables ?? {},
      range,
    );
    return this.optionsOf(list[index], before, range);
  }

  /** Every variable's selection in dashboard order, each checked against its options. */
  private async selections(
    dashboard: DashboardJson,
    requested: Readonly<Record<string, readonly string[]>>,
    range: { from: number; to: number },
  ): Promise<Record<string, VariableSelection>> {
    const out: Record<string, VariableSelection> = {};
    for (const variable of dashboard.templating.list) {
      const options = await this.optionsOf(variable, out, range);
      const values = options.map((o) => o.value);
      const chosen = requested[variable.name] ?? currentValue(variable);
      if (chosen.includes(ALL_VALUE) || chosen.length === 0) {
        out[variable.name] = { value: ALL_VALUE, options: values, allValue: variable.allValue };
        continue;
      }
      const unknown = chosen.filter((v) => !values.includes(v));
      if (unknown.length > 0) {
        throw new ViewerRequestError(
          `$${variable.name}: ${unknown.map((v) => JSON.stringify(v)).join(', ')} is not an option`,
        );
      }
      out[variable.name] = { value: variable.multi === false ? chosen[0] : [...chosen], options: values };
    }
    return out;
  }

  private async optionsOf(
    variable: DashboardVariable,
    before: Record<string, VariableSelection>,
    range: { from: number; to: number },
  ): Promise<VariableOption[]> {
    switch (variable.type) {
      case 'custom':
        return customOptions(typeof variable.query === 'string' ? variable.query : '');
      case 'constant': {
        const value = typeof variable.query === 'string' ? variable.query : '';
        return [{ text: value, value }];
      }
      case 'query': {
        const raw = typeof variable.query === 'string' ? variable.query : variable.query?.rawSql;
        if (raw === undefined || variable.datasource?.type !== CLICKHOUSE_DATASOURCE_TYPE) {
          throw new ViewerRequestError(`$${variable.name} is not a ClickHouse query variable`);
        }
        const sql = expand(raw, { ...range, intervalSeconds: 60, variables: before });
        return this.cachedOptions(sql);
      }
      default:
        // textbox, interval, datasource, adhoc: only the value the dashboard file holds.
        return currentValue(variable).map((value) => ({ text: value, value }));
    }
  }

  private cachedOptions(sql: string): Promise<VariableOption[]> {
    const cached = this.options.get(sql);
    if (cached !== undefined && cached.expiresAt > this.now()) return cached.options;
    const options = this.runReadOnly(sql).then(({ rows }) =>
      rows.map((row) => ({ value: String(row[0]), text: String(row.length > 1 ? row[1] : row[0]) })),
    );
    // A failure is not remembered: the next request tries again.
    options.catch(() => this.options.delete(sql));
    this.options.set(sql, { expiresAt: this.now() + this.optionsTtlMs, options });
    return options;
  }

  /**
   * One SELECT, wrapped so the engine refuses any write or DDL and stops after max_execution_time. On a
   * session that is not read-only already, the wrapper sets readonly = 2 (which still lets a panel set its
   * own query settings); a read-only ClickHouse user (readonly = 1, as Grafana's) is left as it is, since it
   * may not change that setting. DateTime columns come back as epoch milliseconds.
   */
  private async runReadOnly(sql: string): Promise<{ columns: ResultColumn[]; rows: unknown[][] }> {
    if (!READ_ONLY_START.test(sql)) throw new ViewerRequestError('only SELECT queries are run');
    try {
      const readonly = (this.sessionReadonly ??= this.readSessionReadonly().catch((error: unknown) => {
        this.sessionReadonly = undefined; // not remembered: the next query asks again
        throw error;
      }));
      const guard = (await readonly) ? '' : 'readonly = 2, ';
      const settings = `SETTINGS ${guard}max_execution_time = ${this.maxExecutionSeconds}`;
      const columns = (
        await this.warehouse.query<{ name: string; type: string }>(`DESCRIBE TABLE (${sql}) ${settings}`)
      ).map((c) => ({ name: c.name, type: c.type }));
      const select = columns
        .map((c) =>
          DATE_TIME.test(c.type)
            ? `toUnixTimestamp64Milli(toDateTime64(${quote(c.name)}, 3)) AS ${quote(c.name)}`
            : quote(c.name),
        )
        .join(', ');
      const objects = await this.warehouse.query<Record<string, unknown>>(
        `SELECT ${select} FROM (\n${sql}\n) ${settings}`,
      );
      return { columns, rows: objects.map((o) => columns.map((c) => o[c.name] ?? null)) };
    } catch (error) {
      if (error instanceof ViewerRequestError) throw error;
      throw new PanelQueryError(error instanceof Error ? error.message : String(error));
    }
  }

  private async readSessionReadonly(): Promise<boolean> {
    const [row] = await this.warehouse.query<{ readonly: number | string }>(
      "SELECT toUInt8(getSetting('readonly')) AS readonly",
    );
    return Number(row?.readonly ?? 0) > 0;
  }
}

const DATE_TIME = /^(Nullable\()?(LowCardinality\()?DateTime(64)?\b/;

/** A column name as a ClickHouse identifier (names are `中文 · English` labels with spaces and dots). */
function quote(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

function expand(sql: string, options: Parameters<typeof expandQuery>[1]): string {
  try {
    return expandQuery(sql, options);
  } catch (error) {
    if (error instanceof QueryExpansionError) throw new ViewerRequestError(error.message);
    throw error;
  }
}

function checkRange(request: ViewerRequest): { from: number; to: number } {
  const { from, to } = request;
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
    throw new ViewerRequestError('from and to must be epoch milliseconds with from < to');
  }
  return { from, to };
}

function currentValue(variable: DashboardVariable): string[] {
  const value = variable.current?.value;
  if (value === undefined) return [ALL_VALUE];
  return typeof value === 'string' ? [value] : value;
}

/** A custom variable's `text : value` pairs (or plain values), comma separated, `\,` escaping a comma. */
export function customOptions(query: string): VariableOption[] {
  return (query.match(/(?:\\,|[^,])+/g) ?? []).map((item) => {
    const [text, value] = item.split(/\s:\s/);
    const clean = (s: string) => s.trim().replace(/\\,/g, ',');
    return { text: clean(text), value: clean(value ?? text) };
  });
}

/** Every panel of a dashboard the viewer can query (ClickHouse targets with SQL). */
export function clickhousePanelIds(d: DashboardJson): number[] {
  return allPanels(d)
    .filter((p) =>
      p.targets.some(
        (t) =>
          t.rawSql !== undefined && (t.datasource?.type ?? p.datasource?.type) === CLICKHOUSE_DATASOURCE_TYPE,
      ),
    )
    .map((p) => p.id);
}
