export * from './statement-row.mapper';
export * from './sink.step';
export * from './consumer-metrics.adapter';
export * from './enrich.step';
export * from './learner-registry-changes.step';
