// @m2msec/mn-cse: the MN-CSE as a library for gateways (composed in @m2msec/node), and its process entry (main.ts).
export type { RegistrationState, RegistrationStatus } from '@m2msec/cse';
export {
  type CoapListenerOptions,
  createMnCse,
  type MccListenerOptions,
  type MnCse,
  type MnCseOptions,
  type MqttOptions,
  type RegistrarOptions,
} from '@m2msec/node';
