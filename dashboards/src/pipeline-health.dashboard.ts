import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

import { prometheus } from './datasources';
import { GridLayout, prometheusPanel, statPanel, tablePanel, timeSeriesPanel } from './panels';
import { when } from './sql';
import { sourceVariable } from './variables';

export function pipelineHealthDashboard(): dashboard.DashboardBuilder {
  const layout = new GridLayout();
  const builder = new dashboard.DashboardBuilder('运行状态 · Pipeline health')
    .uid('jlp-pipeline-health')
    .description('Gateway acceptance, dead letters, consumer lag and warehouse freshness')
    .tags(['jiulongpo', 'operations'])
    .timezone('Asia/Shanghai')
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')
    .readonly()
    .withVariable(sourceVariable());

  builder.withPanel(
    prometheusPanel(layout, {
      title: '网关接收的记录 · Statements accepted by the gateway',
      description:
        'Statements per second the gateway accepted, by source (Prometheus xapi_statements_accepted_total; not stored in ClickHouse).',
      w: 12,
      h: 8,
      unit: 'reqps',
      targets: [
        prometheus(
          'sum by (source) (rate(xapi_statements_accepted_total{source=~"${source:regex}"}[$__rate_interval]))',
          '{{source}}',
        ),
      ],
    }),
  );
  builder.withPanel(
    prometheusPanel(layout, {
      title: '网关拒收的记录 · Statements rejected by the gateway',
      description:
        'Statements per second the gateway refused, by source and reason (Prometheus xapi_statements_rejected_total; rejections are never stored in ClickHouse).',
      w: 12,
      h: 8,
      unit: 'reqps',
      targets: [
        prometheus(
          'sum by (source, reason) (rate(xapi_statements_rejected_total{source=~"${source:regex}"}[$__rate_interval]))',
          '{{source}} · {{reason}}',
        ),
      ],
    }),
  );
  builder.withPanel(
    statPanel(layout, {
      title: '数据新鲜度 · Freshness',
      description:
        'Now minus the newest durably written statement (statements_stored, per-minute rollup of stored times) and minus the oldest sink watermark over partitions (sink_watermarks), in seconds.',
      w: 8,
      h: 8,
      unit: 's',
      sql: `SELECT
  dateDiff('second', (
    SELECT max(newest_stored) FROM statements_stored
    -- max(minute) comes from the parts' partition metadata; only the newest minute's rows are read
    WHERE minute >= (SELECT max(minute) FROM statements_stored)
  ), now64(6)) AS \`最新记录 · Newest statement\`,
  dateDiff('second', (
    SELECT min(stored_through) FROM
    (
      SELECT consumer_group, topic, partition, max(stored_through) AS stored_through
      FROM sink_watermarks
      GROUP BY consumer_group, topic, partition
    )
  ), now64(6)) AS \`最旧水位 · Oldest watermark\``,
    }),
  );
  builder.withPanel(
    prometheusPanel(layout, {
      title: '消费者滞后 · Consumer lag',
      description:
        'Messages not yet consumed (high watermark minus next offset), summed per topic (Prometheus pipeline_consumer_lag).',
      w: 16,
      h: 8,
      targets: [prometheus('sum by (topic) (pipeline_consumer_lag)', '{{topic}}')],
    }),
  );
  builder.withPanel(
    timeSeriesPanel(layout, {
      title: '死信数量 · Dead letters over time',
      description:
        'Messages sent to a dead-letter queue per interval, by the topic they failed on (dead_letters).',
      w: 12,
      h: 9,
      stacked: true,
      sql: `SELECT
  $__timeInterval(failed_at) AS time,
  source_topic,
  toUInt32(count()) AS dead_letters
FROM dead_letters
WHERE $__timeFilter(failed_at)
GROUP BY time, source_topic
ORDER BY time, source_topic`,
    }),
  );
  builder.withPanel(
    tablePanel(layout, {
      title: '死信原因 · Dead letters by topic and reason',
      description:
        'Dead letters in the range by source topic, error class and reason, with the latest failure (dead_letters).',
      w: 12,
      h: 9,
      sql: `SELECT
  source_topic AS \`主题 · Topic\`,
  error_class AS \`错误类别 · Error class\`,
  substring(reason, 1, 160) AS \`原因 · Reason\`,
  toUInt32(count()) AS \`数量 · Count\`,
  max(failed_at) AS \`最近 · Latest\`
FROM dead_letters
WHERE $__timeFilter(failed_at)
GROUP BY source_topic, error_class, \`原因 · Reason\`
ORDER BY \`数量 · Count\` DESC`,
    }),
  );
  builder.withPanel(
    timeSeriesPanel(layout, {
      title: '入库记录(按来源) · Statements stored by source',
      description:
        'Statements durably written to ClickHouse per interval (one minute at least) by source, by their stored time (statements_stored, a per-minute rollup).',
      w: 24,
      h: 8,
      stacked: true,
      sql: `SELECT
  toStartOfInterval(minute, INTERVAL greatest($__interval_s, 60) second) AS time,
  source,
  toUInt32(sum(statement_count)) AS statements
FROM statements_stored
WHERE $__timeFilter(minute)
  AND ${when('source', 'source')}
GROUP BY time, source
ORDER BY time, source`,
    }),
  );
  return builder;
}
