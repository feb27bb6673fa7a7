import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

import { CLICKHOUSE, PROMETHEUS, clickhouse } from './datasources';

/** Places panels left to right on Grafana's 24-column grid, starting a new row when one is full. */
export class GridLayout {
  private x = 0;
  private y = 0;
  private rowHeight = 0;
  private nextId = 1;

  place(w: number, h: number): dashboard.GridPos {
    if (this.x + w > 24) this.newRow();
    const pos = { x: this.x, y: this.y, w, h };
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
    return pos;
  }

  newRow(): void {
    if (this.x === 0) return;
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }

  id(): number {
    return this.nextId++;
  }
}

/** What every panel builder of the SDK offers and every panel here sets. */
interface PanelBuilderBase<T> extends cog.Builder<dashboard.Panel> {
  id(id: number): T;
  title(title: string): T;
  description(description: string): T;
  datasource(datasource: common.DataSourceRef): T;
  withTarget(target: cog.Builder<cog.Dataquery>): T;
  gridPos(gridPos: dashboard.GridPos): T;
}

export interface PanelSpec {
  /** Chinese first, English second: `中文 · English`. */
  readonly title: string;
  /** One line: what it measures and how. */
  readonly description: string;
  readonly w: number;
  readonly h: number;
}

export interface SqlPanelSpec extends PanelSpec {
  readonly sql: string;
  /** Result columns holding a share (0–1), shown as percentages. */
  readonly percentColumns?: readonly string[];
}

interface OverridableBuilder<T> {
  overrideByName(name: string, properties: dashboard.DynamicConfigValue[]): T;
}

function withPercentColumns<T extends OverridableBuilder<T>>(builder: T, spec: SqlPanelSpec): T {
  let out = builder;
  for (const column of spec.percentColumns ?? [])
    out = out.overrideByName(column, [{ id: 'unit', value: 'percentunit' }]);
  return out;
}

function place<T extends PanelBuilderBase<T>>(builder: T, layout: GridLayout, spec: PanelSpec): T {
  return builder
    .id(layout.id())
    .title(spec.title)
    .description(spec.description)
    .gridPos(layout.place(spec.w, spec.h));
}

export function tablePanel(layout: GridLayout, spec: SqlPanelSpec): table.PanelBuilder {
  return withPercentColumns(
    place(new table.PanelBuilder(), layout, spec).datasource(CLICKHOUSE).withTarget(clickhouse(spec.sql)),
    spec,
  );
}

export function statPanel(layout: GridLayout, spec: SqlPanelSpec & { unit?: string }): stat.PanelBuilder {
  const panel = place(new stat.PanelBuilder(), layout, spec)
    .datasource(CLICKHOUSE)
    .withTarget(clickhouse(spec.sql))
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(common.BigValueGraphMode.None);
  withPercentColumns(panel, spec);
  return spec.unit === undefined ? panel : panel.unit(spec.unit);
}

export function barPanel(
  layout: GridLayout,
  spec: SqlPanelSpec & { unit?: string; stacked?: boolean; horizontal?: boolean },
): barchart.PanelBuilder {
  const panel = place(new barchart.PanelBuilder(), layout, spec)
    .datasource(CLICKHOUSE)
    .withTarget(clickhouse(spec.sql))
    .xTickLabelRotation(spec.horizontal ? 0 : -45)
    .orientation(spec.horizontal ? common.VizOrientation.Horizontal : common.VizOrientation.Vertical)
    .stacking(spec.stacked ? common.StackingMode.Normal : common.StackingMode.None);
  return spec.unit === undefined ? panel : panel.unit(spec.unit);
}

export function timeSeriesPanel(
  layout: GridLayout,
  spec: SqlPanelSpec & { unit?: string; stacked?: boolean },
): timeseries.PanelBuilder {
  const panel = place(new timeseries.PanelBuilder(), layout, spec)
    .datasource(CLICKHOUSE)
    .withTarget(clickhouse(spec.sql).timeSeries())
    .stacking(
      new common.StackingConfigBuilder().mode(
        spec.stacked ? common.StackingMode.Normal : common.StackingMode.None,
      ),
    );
  return spec.unit === undefined ? panel : panel.unit(spec.unit);
}

export function prometheusPanel(
  layout: GridLayout,
  spec: PanelSpec & { targets: cog.Builder<cog.Dataquery>[]; unit?: string },
): timeseries.PanelBuilder {
  const panel = place(new timeseries.PanelBuilder(), layout, spec)
    .datasource(PROMETHEUS)
    .targets(spec.targets);
  return spec.unit === undefined ? panel : panel.unit(spec.unit);
}
