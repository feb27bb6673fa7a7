import type { ConsumerMetrics } from '@app/bus';
import type { PipelineMetrics } from '@app/observability';

/** `unknown-learning-point: ...` → `unknown-learning-point`; a free-text reason → the error class. */
function reasonLabel(reason: string, errorClass: string): string {
  const code = /^([a-z][a-z0-9-]*):/.exec(reason);
  return code ? code[1] : errorClass;
}

/** The bus's consumer hooks on the pipeline's Prometheus metrics (labels stay low-cardinality). */
export function consumerMetricsOf(metrics: PipelineMetrics): ConsumerMetrics {
  return {
    batchReceived: ({ topic, partition, size, lag }) => {
      metrics.batchSize.observe({ topic }, size);
      if (lag !== undefined) metrics.consumerLag.set({ topic, partition: String(partition) }, lag);
    },
    messagesProcessed: ({ topic, count }) => metrics.messagesIn.inc({ topic }, count),
    deadLettered: ({ topic, reason, errorClass, count }) =>
      metrics.dlq.inc({ topic, reason: reasonLabel(reason, errorClass) }, count),
  };
}
