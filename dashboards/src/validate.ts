/**
 * Structural checks of a dashboard JSON against what Grafana requires and what these dashboards promise,
 * beyond what a schema can say: schemaVersion ≥ 39, unique panel ids, panels inside the 24-column grid and
 * not overlapping, every variable a query uses defined (and defined before the variables that use it),
 * datasource refs resolvable. The JSON Schema check itself is grafana-schema.int-spec.ts (Grafana's schema
 * from @grafana/schema; no registry ships the foundation SDK's JSON Schema: see testing/grafana-schema.ts).
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

import { referencedVariables } from './macros';

export interface DatasourceRef {
  readonly type?: string;
  readonly uid?: string;
}

export const GRID_COLUMNS = 24;
export const MIN_SCHEMA_VERSION = 39;

interface QueryLike {
  readonly refId?: string;
  readonly datasource?: DatasourceRef;
  readonly rawSql?: string;
  readonly expr?: string;
  readonly format?: number;
  readonly queryType?: string;
  readonly editorType?: string;
}

type PanelLike = dashboard.Panel | dashboard.RowPanel;

const CJK = /[\u4e00-\u9fff]/;

/** Text of every query in a panel or variable (SQL or PromQL). */
function queryText(q: QueryLike): string {
  return q.rawSql ?? q.expr ?? '';
}

/** Panels, including those nested in collapsed rows. */
export function allPanels(d: dashboard.Dashboard): dashboard.Panel[] {
  const out: dashboard.Panel[] = [];
  for (const p of (d.panels ?? []) as PanelLike[]) {
    if (p.type === 'row') out.push(...((p as dashboard.RowPanel).panels ?? []));
    else out.push(p as dashboard.Panel);
  }
  return out;
}

function overlaps(a: dashboard.GridPos, b: dashboard.GridPos): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function resolvable(ref: DatasourceRef | undefined, datasources: readonly DatasourceRef[]): boolean {
  if (ref === undefined) return true; // the panel's datasource (checked on the panel) or the default
  return datasources.some((ds) => ds.uid === ref.uid && ds.type === ref.type);
}

export function validateDashboard(d: dashboard.Dashboard, datasources: readonly DatasourceRef[]): string[] {
  const problems: string[] = [];
  const title = d.title ?? '';
  if (!(d.schemaVersion >= MIN_SCHEMA_VERSION))
    problems.push(`schemaVersion ${d.schemaVersion} < ${MIN_SCHEMA_VERSION}`);
  if (!d.uid || d.uid.length > 40 || !/^[A-Za-z0-9_-]+$/.test(d.uid))
    problems.push(`uid ${JSON.stringify(d.uid)} invalid`);
  if (!CJK.test(title.split(' · ')[0] ?? '') || !title.includes(' · '))
    problems.push(`title "${title}" not 中文 · English`);

  // Variables: unique names, defined before use, datasource resolvable.
  const variables = d.templating.list ?? [];
  const defined = new Set<string>();
  for (const v of variables) {
    if (defined.has(v.name)) problems.push(`variable $${v.name} defined twice`);
    const text = typeof v.query === 'string' ? v.query : queryText((v.query ?? {}) as QueryLike);
    if (v.type === 'query') {
      for (const used of referencedVariables(text)) {
        if (!defined.has(used)) problems.push(`variable $${v.name} uses $${used} not defined before it`);
      }
      if (!resolvable(v.datasource, datasources))
        problems.push(`variable $${v.name}: datasource not provisioned`);
    }
    if (!CJK.test(v.label ?? '')) problems.push(`variable $${v.name}: label not in Chinese first`);
    defined.add(v.name);
  }

  const ids = new Set<number>();
  const placed: { id: number; pos: dashboard.GridPos }[] = [];
  for (const panel of (d.panels ?? []) as PanelLike[]) {
    const where = `panel ${panel.id} "${panel.title ?? ''}"`;
    if (panel.id === undefined || ids.has(panel.id)) problems.push(`${where}: id missing or not unique`);
    else ids.add(panel.id);
    const pos = panel.gridPos;
    if (pos === undefined) {
      problems.push(`${where}: no gridPos`);
      continue;
    }
    const ints = [pos.x, pos.y, pos.w, pos.h].every((n) => Number.isInteger(n));
    if (!ints || pos.x < 0 || pos.y < 0 || pos.w < 1 || pos.h < 1 || pos.x + pos.w > GRID_COLUMNS) {
      problems.push(`${where}: gridPos ${JSON.stringify(pos)} out of the ${GRID_COLUMNS}-column grid`);
    }
    for (const other of placed) {
      if (overlaps(pos, other.pos)) problems.push(`${where}: overlaps panel ${other.id}`);
    }
    placed.push({ id: panel.id ?? -1, pos });
  }

  for (const panel of allPanels(d)) {
    const where = `panel ${panel.id} "${panel.title ?? ''}"`;
    const [zh, en] = (panel.title ?? '').split(' · ');
    if (!CJK.test(zh ?? '') || !en) problems.push(`${where}: title not 中文 · English`);
    if (!panel.description || panel.description.includes('\n'))
      problems.push(`${where}: needs a one-line description`);
    if (!resolvable(panel.datasource as DatasourceRef | undefined, datasources)) {
      problems.push(`${where}: datasource ${JSON.stringify(panel.datasource)} not provisioned`);
    }
    const targets = (panel.targets ?? []) as QueryLike[];
    if (targets.length === 0) problems.push(`${where}: no query`);
    const refIds = new Set<string>();
    for (const target of targets) {
      if (!target.refId || refIds.has(target.refId)) problems.push(`${where}: refId missing or repeated`);
      refIds.add(target.refId ?? '');
      const ds = target.datasource ?? (panel.datasource as DatasourceRef | undefined);
      if (ds === undefined || !resolvable(ds, datasources))
        problems.push(`${where}: target datasource unresolvable`);
      const text = queryText(target);
      if (text.trim() === '') problems.push(`${where}: empty query`);
      for (const used of referencedVariables(text)) {
        if (!defined.has(used)) problems.push(`${where}: uses $${used}, which is not a dashboard variable`);
      }
      if (ds?.type === 'grafana-clickhouse-datasource') {
        const wantSeries = panel.type === 'timeseries';
        if (target.editorType !== 'sql')
          problems.push(`${where}: ClickHouse target is not an SQL-editor query`);
        if ((target.format === 0) !== wantSeries || (target.queryType === 'timeSeries') !== wantSeries) {
          problems.push(`${where}: ClickHouse format/queryType do not match a ${panel.type} panel`);
        }
      }
    }
  }
  return problems;
}
