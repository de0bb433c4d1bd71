// @m2msec/maf — the M2M Authentication Function role server (TS-0003 8.8) and its client SDK: MAF
// Handshake, client registration, key registration / retrieval / update / de-registration for the
// MAF-based SAEF (8.2.2.3), Km from a MEF (SUID 21), and the DerivedKey trust anchor inside the MAF.

// Server
export { mafAdminOpenApi } from './admin/openapi.js';
export { ADMIN_API_VERSION, type AdminRouterOptions, adminRoutes } from './admin/routes.js';
export { ADMIN_OPERATIONS } from './admin/schemas.js';
// Client
export {
  type MafESDataKey,
  type MafESDataSuid,
  mafESDataKeyResolver,
  registerESDataKey,
} from './client/esdata-keys.js';
export {
  type FetchedMafESPrimKey,
  type MafESPrimKey,
  mafESPrimKeyFetcher,
  registerESPrimKey,
} from './client/esprim-keys.js';
export { registerSourceGeneratedESPrimKey } from './client/esprim-source-key.js';
export { type KeepRegisteredOptions, keepRegistered, type Registration } from './client/keep-registered.js';
export { mafKeySource } from './client/key-source.js';
export {
  type ClientRegistrationAnswer,
  type ClientRegistrationRequest,
  type KeyRegistrationAnswer,
  type KeyRegistrationRequest,
  type KeyRetrievalAnswer,
  type MafAnswer,
  MafClient,
  type MafClientCredential,
  type MafClientOptions,
  type TimeInput,
} from './client/maf-client.js';
export { handleMafKeyNotification, MAF_KEY_NOTIFICATION_PATH } from './client/notification.js';
export { MafError, type MafErrorCode } from './lib/errors.js';
export { type KeyVault, MAF_KEK_ID, openMafVault } from './lib/vault.js';
export { type MafProcedure, type MafRequest, type MafRouteContext, mafRoute } from './procedures/context.js';
export { mafMqttRoutes, mafRoutes } from './routes.js';
export { type KeyEvent, type NotificationOutcome, type NotifyOptions, notifyTargets } from './server/notify.js';
export { type MafSession, mafSessionOf, type SessionContext } from './server/session.js';
export {
  type ListenOptions,
  type MafLogger,
  type RunningMaf,
  type StartMafOptions,
  startMaf,
} from './server/start-maf.js';
export { certificateCredentialId, type KmEntry, kmCredentialId, MafStore } from './store/maf-store.js';
export type * from './store/records.js';
export { HostedTrustAnchors, taKeyId } from './trust-anchor/hosted-trust-anchors.js';
