// @m2msec/ae: a reference AE and a device simulator (load generator) for tests and demos.
export { percentiles } from './lib/percentiles.js';
export { type LoadOptions, type LoadProgress, type LoadResult, progressPrinter, runLoad } from './load.js';
export type { AeOptions, ContainerOptions, HttpTransportOptions, MqttTransportOptions } from './options.js';
export { AeError, type Notification, ReferenceAe } from './reference-ae.js';
