// @m2msec/administration — Security Administration (TS-0003 6.2.3): administrators are principals
// bound to credentials an association proves, identities the system reserves, and the audit log of
// administrative actions and authentication failures.
export { type AuditEvent, type AuditEventInput, type AuditEventKind, auditText } from './audit/audit-event.js';
export { AUDIT_COLLECTION, AuditLog, type AuditQuery } from './audit/audit-log.js';
export { AUDIT_PATH, type AuditLogAnswer, type AuditLogRequest, auditLogReader } from './audit/audit-log-request.js';
export { type AuditedHandlerOptions, auditedHandler, presentedCredential } from './audit/audited-handler.js';
export { FailureThrottle, type FailureThrottleOptions } from './audit/failure-throttle.js';
export {
  type AdministratorMatch,
  Administrators,
  type AdministratorsOptions,
} from './principals/administrators.js';
export { credentialMatches } from './principals/credential-match.js';
export {
  type AdministratorCredential,
  type AdministratorPrincipal,
  describeCredential,
} from './principals/principal.js';
export { ReservedIdentities, type ReservedIdentitiesOptions, spRelativeId } from './principals/reserved-ids.js';
export { isLoopbackHost } from './profile/loopback.js';
export { type CseBaseSummary, securePlainListener } from './profile/secure-plain-listener.js';
