export * from './dim-learners.store';
export * from './learner-registry';
export * from './registry-auth';
export * from './registry.controller';
export * from './registry.module';
