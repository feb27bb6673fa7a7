export * from './json-logger';
export * from './metrics';
export * from './health';
export * from './observability.controller';
export * from './observability.module';
export * from './process-lifecycle';
export * from './swagger-ui';
