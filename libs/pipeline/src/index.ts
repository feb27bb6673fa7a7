export * from './statement-row.mapper';
export * from './sink.step';
