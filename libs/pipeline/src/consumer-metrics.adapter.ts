import type { ConsumerMetrics } from '@app/bus';
import type { PipelineMetrics } from '@app/observability';

/** Feeds the bus's consumer hooks into the process's Prometheus metrics. */
export function consumerMetricsFor(metrics: PipelineMetrics): ConsumerMetrics {
  return {
    batchReceived: ({ topic, partition, size, lag }) => {
      metrics.batchSize.observe({ topic }, size);
      if (lag !== undefined) metrics.consumerLag.set({ topic, partition: String(partition) }, lag);
    },
    messagesProcessed: ({ topic, count }) => metrics.messagesIn.inc({ topic }, count),
    deadLettered: ({ topic, errorClass, count }) => metrics.dlq.inc({ topic, reason: errorClass }, count),
  };
}
