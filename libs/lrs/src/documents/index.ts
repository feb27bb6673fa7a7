export * from './documents';
export * from './documents.http';
export * from './document-params';
export * from './keyed-mutex';
