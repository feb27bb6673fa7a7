import { MetricsHistory, type MetricsRegistry } from './metrics-history';
import { PromQlError, interpolatePromQl, metricNames, parsePromQl, queryRange } from './promql-lite';

/** A registry whose counters the test sets before each sample. */
function fakeRegistry() {
  const values: { name: string; value: number; labels: Record<string, string> }[] = [];
  const registry: MetricsRegistry = {
    getMetricsAsJSON: async () =>
      [...new Set(values.map((v) => v.name))].map((name) => ({
        name,
        values: values.filter((v) => v.name === name).map(({ value, labels }) => ({ value, labels })),
      })),
  };
  const set = (name: string, labels: Record<string, string>, value: number) => {
    const found = values.find((v) => v.name === name && JSON.stringify(v.labels) === JSON.stringify(labels));
    if (found) found.value = value;
    else values.push({ name, labels, value });
  };
  return { registry, set };
}

describe('PromQL subset over the metrics history', () => {
  const t0 = Date.parse('2026-11-28T00:00:00Z');

  async function history() {
    const { registry, set } = fakeRegistry();
    const h = new MetricsHistory(registry, { intervalMs: 10_000 });
    // portal: 10/s, app: 2/s for a minute; a rejected counter that resets half-way.
    for (let i = 0; i <= 6; i++) {
      set('xapi_statements_accepted_total', { source: 'portal', service: 's' }, 100 * i);
      set('xapi_statements_accepted_total', { source: 'app', service: 's' }, 20 * i);
      set(
        'xapi_statements_rejected_total',
        { source: 'app', reason: 'invalid' },
        i < 3 ? 5 * i : 5 * (i - 3),
      );
      set('pipeline_consumer_lag', { topic: 't', partition: '0' }, 7);
      set('pipeline_consumer_lag', { topic: 't', partition: '1' }, 3);
      await h.sample(t0 + i * 10_000);
    }
    return h;
  }

  it('computes rates per source, filtered by a regex matcher', async () => {
    const rows = queryRange(
      await history(),
      'sum by (source) (rate(xapi_statements_accepted_total{source=~"(portal|app)"}[30s]))',
      { from: t0 + 30_000, to: t0 + 60_000, stepMs: 30_000, legendFormat: '{{source}}' },
    );
    expect(rows).toEqual([
      { time: t0 + 30_000, series: 'app', value: 2 },
      { time: t0 + 30_000, series: 'portal', value: 10 },
      { time: t0 + 60_000, series: 'app', value: 2 },
      { time: t0 + 60_000, series: 'portal', value: 10 },
    ]);
    const onlyApp = queryRange(
      await history(),
      'sum by (source) (rate(xapi_statements_accepted_total{source=~"app"}[30s]))',
      { from: t0 + 60_000, to: t0 + 60_000, stepMs: 30_000, legendFormat: '{{source}}' },
    );
    expect(onlyApp.map((r) => r.series)).toEqual(['app']);
  });

  it('counts a counter reset as a restart from zero, and sums gauges by a label', async () => {
    const h = await history();
    const increase = queryRange(h, 'sum(increase(xapi_statements_rejected_total[60s]))', {
      from: t0 + 60_000,
      to: t0 + 60_000,
      stepMs: 10_000,
    });
    // The 60 s window holds 5, 10, then the reset to 0, 5, 10, 15: 5 + 0 + 5 + 5 + 5.
    expect(increase[0].value).toBe(20);
    const lag = queryRange(h, 'sum by (topic) (pipeline_consumer_lag)', {
      from: t0 + 60_000,
      to: t0 + 60_000,
      stepMs: 10_000,
      legendFormat: '{{topic}}',
    });
    expect(lag).toEqual([{ time: t0 + 60_000, series: 't', value: 10 }]);
  });

  it('counts a counter from 0 when it first appears between two samples', async () => {
    const { registry, set } = fakeRegistry();
    const typed: MetricsRegistry = {
      getMetricsAsJSON: async () =>
        (await registry.getMetricsAsJSON()).map((m) => ({ ...m, type: 'counter' })),
    };
    const h = new MetricsHistory(typed);
    await h.sample(t0);
    set('xapi_statements_accepted_total', { source: 'portal' }, 50);
    await h.sample(t0 + 10_000);
    const rows = queryRange(h, 'sum(increase(xapi_statements_accepted_total[20s]))', {
      from: t0 + 10_000,
      to: t0 + 10_000,
      stepMs: 10_000,
    });
    expect(rows).toEqual([{ time: t0 + 10_000, series: '{}', value: 50 }]);
  });

  it('interpolates Grafana variables and intervals as regex alternatives', () => {
    const expr = 'sum by (source) (rate(x_total{source=~"${source:regex}"}[$__rate_interval]))';
    expect(interpolatePromQl(expr, { source: { value: '$__all', options: ['portal', 'app'] } }, 30, 10)).toBe(
      'sum by (source) (rate(x_total{source=~"(portal|app)"}[40s]))',
    );
    expect(interpolatePromQl(expr, { source: { value: ['a.b'] } }, 300, 10)).toContain('"a\\.b"');
    expect(metricNames(interpolatePromQl(expr, { source: { value: ['a'] } }, 60, 10))).toEqual(['x_total']);
  });

  it('refuses what it does not evaluate, naming it', () => {
    expect(() => parsePromQl('histogram_quantile(0.9, rate(x_bucket[5m]))')).toThrow(PromQlError);
    expect(() => parsePromQl('rate(x_total)')).toThrow('range selector');
  });
});
