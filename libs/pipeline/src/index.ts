export * from './statement-row.mapper';
export * from './sink.step';
export * from './consumer-metrics.adapter';
