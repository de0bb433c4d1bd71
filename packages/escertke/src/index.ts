// @m2msec/escertke — End-to-End Certificate-based Key Establishment (TS-0003 8.7, 10.3.1).
export { type EscertkeCredentials, peerIdentity } from './credentials.js';
export { type EstablishedE2EKey, exportPairwiseE2EKey } from './established.js';
export { InitiatingEndPoint, type InitiatingOptions } from './initiating.js';
export { EscertkeError } from './lib/errors.js';
export { flightComplete, wellFormedFlight } from './lib/flight.js';
export { TerminatingEndPoint, type TerminatingOptions } from './terminating.js';
export { establishE2EKey } from './transport/initiate.js';
export { type ESCertKETargetOptions, SIT_ESCERTKE, withESCertKETarget } from './transport/target-handler.js';
