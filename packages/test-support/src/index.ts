export * from './pki.js';
export * from './readme.js';
