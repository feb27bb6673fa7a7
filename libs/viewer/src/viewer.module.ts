import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import type { Warehouse } from '@app/warehouse';

import { DashboardCatalog, DEFAULT_GENERATED_DIR, allPanels } from './dashboard-catalog';
import { MetricsHistory, type MetricsRegistry } from './metrics-history';
import { metricNames } from './promql-lite';
import { PanelQueryService, type PanelQueryServiceOptions } from './panel-query.service';
import { VIEWER_AUTHENTICATE, ViewerAuthGuard, type ViewerAuthenticate } from './viewer-auth';
import { buildViewerAssets, type ViewerAssets } from './viewer-assets';
import { VIEWER_ASSETS, ViewerController } from './viewer.controller';

export interface ViewerModuleOptions {
  readonly warehouse: Warehouse;
  /** The host's credential check (Basic user and password → may read dashboards). */
  readonly authenticate: ViewerAuthenticate;
  /** Where the generated dashboards are; default dashboards/generated of this repository. */
  readonly dashboardsDir?: string;
  /** Already built assets (tests build once); default: bundled when the module is created. */
  readonly assets?: ViewerAssets;
  readonly query?: Omit<PanelQueryServiceOptions, 'metrics'>;
  /**
   * The process's own Prometheus registry (embedded mode): sampled in memory so that the Prometheus panels
   * draw without a Prometheus server. Without it those panels say the datasource is not available here.
   */
  readonly metrics?: MetricsRegistry;
  readonly metricsIntervalMs?: number;
}

const METRICS_HISTORY = Symbol('METRICS_HISTORY');

@Injectable()
class MetricsHistoryLifecycle implements OnModuleDestroy {
  constructor(@Inject(METRICS_HISTORY) private readonly history: MetricsHistory | null) {}

  onModuleDestroy(): void {
    this.history?.stop();
  }
}

/** Metric names the dashboards' Prometheus expressions read (expressions it cannot parse read none). */
function dashboardMetricNames(catalog: DashboardCatalog): Set<string> {
  const names = new Set<string>();
  for (const { uid } of catalog.list())
    for (const panel of allPanels(catalog.get(uid)))
      for (const target of panel.targets) {
        if (target.expr === undefined) continue;
        try {
          for (const name of metricNames(target.expr.replace(/\$\{?\w+(:\w+)?\}?/g, '1m'))) names.add(name);
        } catch {
          // not one of the shapes the viewer evaluates: the panel reports that itself
        }
      }
  return names;
}

/**
 * The generated Grafana dashboards rendered in the browser, for hosts without Grafana: the embedded mode
 * (chdb, which no Grafana can reach) and, optionally, a thin viewer app beside a ClickHouse server.
 */
@Module({})
export class ViewerModule {
  static async forRoot(options: ViewerModuleOptions): Promise<DynamicModule> {
    const catalog = new DashboardCatalog(options.dashboardsDir ?? DEFAULT_GENERATED_DIR);
    // Fail at start, not at the first page view, when a generated file does not parse.
    catalog.list();
    const assets = options.assets ?? (await buildViewerAssets());
    let history: MetricsHistory | null = null;
    if (options.metrics !== undefined) {
      history = new MetricsHistory(options.metrics, {
        intervalMs: options.metricsIntervalMs,
        names: () => dashboardMetricNames(catalog),
      });
      history.start();
    }
    return {
      module: ViewerModule,
      controllers: [ViewerController],
      providers: [
        { provide: DashboardCatalog, useValue: catalog },
        {
          provide: PanelQueryService,
          useValue: new PanelQueryService(options.warehouse, catalog, {
            ...options.query,
            ...(history !== null && { metrics: history }),
          }),
        },
        { provide: VIEWER_ASSETS, useValue: assets },
        { provide: VIEWER_AUTHENTICATE, useValue: options.authenticate },
        ViewerAuthGuard,
        { provide: METRICS_HISTORY, useValue: history },
        MetricsHistoryLifecycle,
      ],
    };
  }
}
