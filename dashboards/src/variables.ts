import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { AGE_BANDS } from '@app/reference';

import { CLICKHOUSE, ClickHouseFormat } from './datasources';

/** Every filter variable starts on All (Grafana's `$__all`). */
const ALL_SELECTED: dashboard.VariableOption = { text: ['All'], value: ['$__all'] };

/** Sources a credential can have (libs/lrs); kiosk statements arrive as classroom in the simulator. */
export const SOURCES = ['portal', 'app', 'classroom', 'kiosk', 'partner'] as const;

/** `text : value` pairs as Grafana's custom variable reads them. */
function customValues(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([text, value]) => `${text} : ${value}`).join(',');
}

function custom(
  name: string,
  label: string,
  description: string,
  pairs: readonly (readonly [string, string])[],
) {
  return new dashboard.CustomVariableBuilder(name)
    .label(label)
    .description(description)
    .values(customValues(pairs))
    .multi(true)
    .includeAll(true)
    .current(ALL_SELECTED);
}

function clickhouseQueryVariable(name: string, label: string, description: string, sql: string) {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .datasource(CLICKHOUSE)
    .query({
      refId: `${name}-variable`,
      editorType: 'sql',
      queryType: 'table',
      format: ClickHouseFormat.table,
      rawSql: sql,
    })
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .multi(true)
    .includeAll(true)
    .current(ALL_SELECTED);
}

export const REGION_PAIRS = [
  ['东部 · East', 'east'],
  ['西部 · West', 'west'],
] as const;

export const regionVariable = () =>
  custom(
    'region',
    '片区 · Region',
    'East or west of the Zhongliang mountains (reference data)',
    REGION_PAIRS,
  );

// Query variables: the first column is the value, the second the text (the plugin's convention).
export const TOWN_VARIABLE_SQL = `SELECT town_id, concat(display_name, ' · ', name_en) FROM dim_towns
WHERE $__conditionalAll(region IN (\${region:singlequote}), $region) ORDER BY seq`;

export const POINT_VARIABLE_SQL = `SELECT learning_point_id, concat(learning_point_id, ' ', name) FROM dim_learning_points
WHERE $__conditionalAll(region IN (\${region:singlequote}), $region)
  AND $__conditionalAll(town_id IN (\${town:singlequote}), $town)
ORDER BY learning_point_id`;

export const townVariable = () =>
  clickhouseQueryVariable(
    'town',
    '街镇 · Town',
    'Towns of the selected region (dim_towns)',
    TOWN_VARIABLE_SQL,
  );

export const pointVariable = () =>
  clickhouseQueryVariable(
    'point',
    '学习点 · Learning point',
    'Learning points of the selected towns (dim_learning_points)',
    POINT_VARIABLE_SQL,
  );

export const AGE_BAND_PAIRS: readonly (readonly [string, string])[] = [
  ...AGE_BANDS.map((band) => [`${band.labelZh} · ${band.labelEn}`, band.id] as const),
  ['未知 · Unknown', 'unknown'],
];

export const ageBandVariable = () =>
  custom(
    'age_band',
    '年龄段 · Age band',
    'Age band at the time of learning (learner registry)',
    AGE_BAND_PAIRS,
  );

export const sourceVariable = () =>
  custom(
    'source',
    '来源 · Source',
    'The channel a statement came through (sending credential)',
    SOURCES.map((s) => [s, s] as const),
  );

/**
 * A dashboard about the district's learners: Chongqing time, the last 30 days, read-only, and every place
 * and group filter (region, town, learning point, age band, source).
 */
export function districtDashboard(options: {
  title: string;
  uid: string;
  description: string;
  tag: string;
}): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(options.title)
    .uid(options.uid)
    .description(options.description)
    .tags(['jiulongpo', options.tag])
    .timezone('Asia/Shanghai')
    .time({ from: 'now-30d', to: 'now' })
    .refresh('5m')
    .readonly()
    .withVariable(regionVariable())
    .withVariable(townVariable())
    .withVariable(pointVariable())
    .withVariable(ageBandVariable())
    .withVariable(sourceVariable());
}
