export * from './ae-process.js';
export * from './bench.js';
export * from './in-cse-process.js';
export * from './maf-process.js';
export * from './mef-process.js';
export * from './pki.js';
export * from './private-postgres.js';
export * from './readme.js';
