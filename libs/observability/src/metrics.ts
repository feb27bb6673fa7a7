import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The pipeline's Prometheus metrics, one registry per process. Every service exposes the same names so
 * the pipeline-health dashboard can read any of them; labels say which topic, source or table.
 */
export class PipelineMetrics {
  readonly registry = new Registry();

  readonly messagesIn = new Counter({
    name: 'pipeline_messages_in_total',
    help: 'Messages consumed, by topic',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });
  readonly messagesOut = new Counter({
    name: 'pipeline_messages_out_total',
    help: 'Messages produced and acknowledged by the broker (or the in-process bus), by topic',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'pipeline_batch_size',
    help: 'Messages per handled batch, by topic',
    labelNames: ['topic'] as const,
    buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    registers: [this.registry],
  });
  readonly dlq = new Counter({
    name: 'pipeline_dlq_total',
    help: 'Messages sent to a dead-letter topic, by source topic and reason class',
    labelNames: ['topic', 'reason'] as const,
    registers: [this.registry],
  });
  readonly consumerLag = new Gauge({
    name: 'pipeline_consumer_lag',
    help: 'High watermark minus the next offset to consume, by topic and partition',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });
  readonly insertLatency = new Histogram({
    name: 'warehouse_insert_seconds',
    help: 'Time to insert one batch into ClickHouse, by table',
    labelNames: ['table'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly rowsWritten = new Counter({
    name: 'warehouse_rows_written_total',
    help: 'Rows durably written, by table',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly duplicatesSkipped = new Counter({
    name: 'warehouse_duplicates_skipped_total',
    help: 'Rows not written because their statement id was already stored (redelivery), by table',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly statementsAccepted = new Counter({
    name: 'xapi_statements_accepted_total',
    help: 'Statements accepted by the gateway, by source type',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly statementsRejected = new Counter({
    name: 'xapi_statements_rejected_total',
    help: 'Statements rejected by the gateway, by source type and reason',
    labelNames: ['source', 'reason'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean; service?: string } = {}) {
    if (options.service) this.registry.setDefaultLabels({ service: options.service });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The exposition text for GET /metrics. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
