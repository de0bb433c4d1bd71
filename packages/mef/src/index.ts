// @m2msec/mef — the M2M Enrolment Function role server (TS-0003 8.3).
export { type AdminRouterOptions, adminRoutes, MEF_ADMIN_API_VERSION } from './admin/routes.js';
export { MEF_ADMIN_OPERATIONS } from './admin/schemas.js';
export { CrlPublisher, type CrlPublisherOptions, type PublishedCrl } from './crl/crl-publisher.js';
export { CRL_PATH, crlRoute } from './crl/crl-route.js';
export { DigestAuthenticator, digestHa1, parseDigestHeader } from './digest/digest.js';
export { gbaAdminRoutes } from './gba/admin-routes.js';
export { GBA_ADMIN_OPERATIONS } from './gba/schemas.js';
export { createMefBsf, GBA_UB_PATH, GBA_ZN_PATH, type MefGbaOptions, type RunningBsf } from './gba/start-bsf.js';
export { MEF_KEK_ID, openKeyVault } from './lib/vault.js';
export { enrolmentRoutes } from './routes/enrolment-routes.js';
export { fetchCredentialsRoute } from './routes/fetch-credentials-route.js';
export { mmefRoutes } from './routes/mmef-routes.js';
export {
  cmcRevocation,
  type EstPolicyOptions,
  estEnrolmentPolicy,
  expectedSanPolicy,
  issuedCertificateCheck,
  recordEstIssuance,
  SERVERKEYGEN_KEK_LABEL,
  serverKeygenSharedKey,
} from './server/est-policy.js';
export {
  enroleePrincipal,
  mefClientId,
  mmefSession,
  type SessionIdentity,
  sessionIdentity,
} from './server/session-identity.js';
export {
  type ListenOptions,
  type MefLogger,
  type RunningMef,
  type StartMefOptions,
  startMef,
  type UserListenerPolicy,
} from './server/start-mef.js';
export { EST_BASE_PATH, MefStore, sanValue } from './store/mef-store.js';
export type * from './store/records.js';
export {
  authenticateUser,
  type UserAuthContext,
  type UserAuthRequest,
  type UserAuthResult,
  type UserAuthScheme,
} from './user/authenticate-user.js';
export { type GuardVerdict, GuessGuard, type GuessGuardOptions } from './user/guess-guard.js';
export { hashPassword, verifyPassword } from './user/password-hash.js';
