/**
 * A small in-memory time series store for the process's own Prometheus registry, so the embedded mode can
 * draw the dashboards' Prometheus panels without a Prometheus server: the registry is sampled every few
 * seconds and the samples kept for a few hours.
 */

/** What prom-client's Registry offers (getMetricsAsJSON). */
export interface MetricsRegistry {
  getMetricsAsJSON(): Promise<
    readonly {
      readonly name: string;
      readonly type?: unknown;
      readonly values: readonly {
        readonly value: number;
        readonly labels: Readonly<Record<string, unknown>>;
      }[];
    }[]
  >;
}

export interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** [epoch ms, value], oldest first. */
  readonly points: [number, number][];
}

export interface MetricsHistoryOptions {
  readonly intervalMs?: number;
  readonly retentionMs?: number;
  /** Only metrics with these names are kept (the names the dashboards' expressions use). */
  readonly names?: () => ReadonlySet<string>;
}

export class MetricsHistory {
  readonly intervalMs: number;
  private readonly retentionMs: number;
  private readonly series = new Map<string, Series>();
  private timer: NodeJS.Timeout | undefined;
  private lastSampleAt: number | undefined;

  constructor(
    private readonly registry: MetricsRegistry,
    private readonly options: MetricsHistoryOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.retentionMs = options.retentionMs ?? 24 * 3_600_000;
  }

  /** Samples now and then every interval, without keeping the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    void this.sample().catch(() => undefined);
    this.timer = setInterval(() => void this.sample().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async sample(at: number = Date.now()): Promise<void> {
    const wanted = this.options.names?.();
    for (const metric of await this.registry.getMetricsAsJSON()) {
      // Histograms and summaries have their own names per value (_bucket, _sum, _count) in `metricName`.
      for (const value of metric.values) {
        const name = (value as { metricName?: string }).metricName ?? metric.name;
        if (wanted !== undefined && !wanted.has(name)) continue;
        const labels = Object.fromEntries(Object.entries(value.labels).map(([k, v]) => [k, String(v)]));
        const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
        let series = this.series.get(key);
        if (series === undefined) {
          this.series.set(key, (series = { name, labels, points: [] }));
          // A counter first seen now was 0 at the previous sample (prom-client shows a labelled counter only
          // after its first increment); without this its first interval of increments would be lost.
          if (metric.type === 'counter' && this.lastSampleAt !== undefined)
            series.points.push([this.lastSampleAt, 0]);
        }
        series.points.push([at, value.value]);
        while (series.points.length > 0 && series.points[0][0] < at - this.retentionMs) series.points.shift();
      }
    }
    this.lastSampleAt = at;
  }

  select(name: string): Series[] {
    return [...this.series.values()].filter((s) => s.name === name);
  }
}
