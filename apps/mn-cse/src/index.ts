// @m2msec/mn-cse: the MN-CSE as a library for gateways, and its process entry (main.ts).
export { createMnCse, type MnCse } from './create-mn-cse.js';
export type {
  CoapListenerOptions,
  MccListenerOptions,
  MnCseOptions,
  MqttOptions,
  RegistrarOptions,
} from './options.js';
export type { RegistrationState, RegistrationStatus } from './registration.js';
