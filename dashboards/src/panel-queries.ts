import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

import { CLICKHOUSE } from './datasources';
import { ALL_VALUE, type VariableSelection } from './macros';
import { allPanels } from './validate';

export interface PanelQuery {
  readonly dashboard: string;
  readonly panelId: number;
  readonly title: string;
  /** Grafana panel type: timeseries, table, stat, barchart. */
  readonly panelType: string;
  readonly rawSql: string;
}

/** Every ClickHouse SQL query of a dashboard's panels (Prometheus targets are not ClickHouse's). */
export function clickhousePanelQueries(d: dashboard.Dashboard): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const panel of allPanels(d)) {
    for (const target of (panel.targets ?? []) as { datasource?: { uid?: string }; rawSql?: string }[]) {
      const uid = target.datasource?.uid ?? panel.datasource?.uid;
      if (uid !== CLICKHOUSE.uid || target.rawSql === undefined) continue;
      out.push({
        dashboard: d.uid ?? '',
        panelId: panel.id ?? -1,
        title: panel.title ?? '',
        panelType: panel.type,
        rawSql: target.rawSql,
      });
    }
  }
  return out;
}

/** The values of a custom variable (`text : value` pairs or plain values, comma separated). */
export function customVariableValues(query: string): string[] {
  return (query.match(/(?:\\,|[^,])+/g) ?? []).map((item) => {
    const [text, value] = item.split(/\s:\s/);
    return (value ?? text).trim();
  });
}

/** The SQL of a ClickHouse query variable, or undefined for any other variable. */
export function variableSql(v: dashboard.VariableModel): string | undefined {
  if (v.type !== 'query' || v.datasource?.uid !== CLICKHOUSE.uid) return undefined;
  return typeof v.query === 'string' ? v.query : (v.query?.rawSql as string | undefined);
}

/**
 * Each variable's current selection as the dashboard opens (All), with the options All expands to:
 * custom values from the definition, query variables' values from `queryOptions` (run by the caller).
 */
export function currentSelections(
  d: dashboard.Dashboard,
  queryOptions: Readonly<Record<string, readonly string[]>> = {},
): Record<string, VariableSelection> {
  const out: Record<string, VariableSelection> = {};
  for (const v of d.templating.list ?? []) {
    const options =
      v.type === 'custom' && typeof v.query === 'string'
        ? customVariableValues(v.query)
        : queryOptions[v.name];
    out[v.name] = { value: v.current?.value ?? ALL_VALUE, options, allValue: v.allValue };
  }
  return out;
}
