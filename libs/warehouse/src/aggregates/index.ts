export * from './engagement.queries';
export * from './skill.queries';
export * from './reference-dimensions';
export * from './query-sql';
export * from './rebuild';
export * from './crash-recovery';
export * from './recount-voided';
