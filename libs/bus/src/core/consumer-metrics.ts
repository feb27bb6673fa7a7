/** Hooks a host can wire to Prometheus (@app/observability); every member is optional. */
export interface ConsumerMetrics {
  /** A partition batch arrived. `lag` is the high watermark minus the batch's last offset, when known. */
  batchReceived?(event: { topic: string; partition: number; size: number; lag?: number }): void;
  /** Messages processed successfully and committed (dead letters and drops are counted separately). */
  messagesProcessed?(event: { topic: string; partition: number; count: number }): void;
  deadLettered?(event: { topic: string; reason: string; errorClass: string; count: number }): void;
  dropped?(event: { topic: string; reason: string; count: number }): void;
  /** A retriable failure; the batch will be tried again after `delayMs`. */
  retry?(event: {
    topic: string;
    partition: number;
    attempt: number;
    errorClass: string;
    delayMs: number;
  }): void;
  handlerDuration?(event: { topic: string; partition: number; seconds: number }): void;
}
