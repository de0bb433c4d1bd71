export * from './bench.js';
export * from './in-cse-process.js';
export * from './pki.js';
export * from './private-postgres.js';
export * from './readme.js';
export * from './readme-shell.js';
