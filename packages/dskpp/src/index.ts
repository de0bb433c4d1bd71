// @m2msec/dskpp — RFC 6063 Dynamic Symmetric Key Provisioning Protocol for the MEF (TS-0003 8.3):
// 4-pass (pre-shared key) and 2-pass (key wrap) client and server, a stateless 4-pass profile,
// PSKC (RFC 6030) key packages and the HTTP binding.

export { DskppClient, type ProvisioningResult } from './client/client.js';
export type { DskppClientCredentials, DskppClientOptions, DskppTransport } from './client/options.js';
export { keyContainerLabel } from './client/store-key.js';
export {
  confirmationInput,
  type ProvisioningConfirmation,
  verifyConfirmationMac,
} from './confirmation/confirmation.js';
export type { ConfirmationOutcome } from './confirmation/verify-confirmation.js';
export { type DskppRoutesOptions, dskppRoutes } from './http/routes.js';
export { type HttpTransportOptions, httpTransport, postConfirmation } from './http/transport.js';
export { authenticationDataMac, encodeAuthenticationCode } from './keys/authentication-data.js';
export { deriveFourPassKeys, type ProvisioningKeys } from './keys/four-pass-keys.js';
export { keyConfirmationMac, messageHash } from './keys/key-confirmation.js';
export { type DskppClientFailure, DskppError } from './lib/errors.js';
export { aesKeyUnwrap, aesKeyWrap } from './lib/kw-aes.js';
export { DSKPP_STATUS_CODES, type DskppErrorStatus, type DskppStatus, isDskppStatus } from './lib/status.js';
export * from './lib/uris.js';
export { decodeMessage } from './messages/decode.js';
export { encodeErrorResponse } from './messages/encode.js';
export type * from './messages/types.js';
export { dskppPrf, isMacAlgorithm } from './prf/dskpp-prf.js';
export { type KeyContainerInfo, type PskcKeyUsage, parseKeyContainer } from './pskc/key-container.js';
export { type ServerTrust, verifyServerCertificate } from './public-key/verify-server-certificate.js';
export {
  type ConfirmedKeyStore,
  confirmedKeyStore,
  MemoryProvisionedKeyStore,
  type ProvisionedKey,
  type ProvisionedKeyRecord,
  type ProvisionedKeyStore,
  secureEnvironmentKeyStore,
} from './server/key-store.js';
export type { DskppServerOptions } from './server/options.js';
export { type ClientRegistry, type DskppClientRecord, MemoryClientRegistry } from './server/registry.js';
export { DskppServer, type DskppServerResponse } from './server/server.js';
export { type FourPassSession, MemorySessionStore, type SessionStore } from './stateful/session-store.js';
export {
  type CollectionReplayGuard,
  collectionReplayGuard,
  MemoryReplayGuard,
  type ReplayGuard,
} from './stateless/replay-guard.js';
export type { StateKey } from './stateless/state-token.js';
