export {
  DashboardCatalog,
  DEFAULT_GENERATED_DIR,
  allPanels,
  type DashboardJson,
  type DashboardPanel,
  type DashboardSummary,
  type DashboardVariable,
} from './dashboard-catalog';
export { panelIntervalSeconds, roundIntervalMs } from './grafana-interval';
export {
  CLICKHOUSE_DATASOURCE_TYPE,
  PROMETHEUS_DATASOURCE_TYPE,
  PanelQueryService,
  clickhousePanelIds,
  customOptions,
  type PanelQueryRequest,
  type PanelQueryResult,
  type PanelQueryServiceOptions,
  type ResultColumn,
  type VariableOption,
  type ViewerRequest,
} from './panel-query.service';
export {
  VIEWER_REALM,
  ViewerAuthGuard,
  parseBasicAuthorization,
  type ViewerAuthenticate,
} from './viewer-auth';
export { WEB_DIR, buildViewerAssets, viewerPage, type ViewerAssets } from './viewer-assets';
export { ViewerModule, type ViewerModuleOptions } from './viewer.module';
export * from './viewer.errors';
export {
  MetricsHistory,
  type MetricsHistoryOptions,
  type MetricsRegistry,
  type Series,
} from './metrics-history';
export { PromQlError, interpolatePromQl, metricNames, parsePromQl, queryRange } from './promql-lite';
