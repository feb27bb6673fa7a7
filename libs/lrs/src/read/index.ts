export * from './statement-params';
export * from './more-cursor';
export * from './statement-format';
export * from './read-consistency';
export * from './statement-reader';
export * from './alternate-syntax';
export * from './read.controllers';
export * from './read-http-setup';
