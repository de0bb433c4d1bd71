// Administration wiring of the IN-CSE (TS-0003 6.2.3, docs/administration.md): the administrator
// principals from security.administrators, the development profile's plain-loopback allowance, the
// audit log in the store, and the audit of each listener. Logic lives in @m2msec/administration.
import {
  type AdministratorCredential,
  type AdministratorPrincipal,
  Administrators,
  type AuditEvent,
  AuditLog,
  auditedHandler,
} from '@m2msec/administration';
import { type Metrics, observeHandler } from '@m2msec/observability';
import type { RequestHandler } from '@m2msec/protocol';
import type { Store } from '@m2msec/store';
import type { Logger } from 'pino';
import { type AdministratorConfig, ConfigError, type InCseConfig } from './config.js';

export interface InCseAdministration {
  administrators: Administrators;
  audit: AuditLog;
  metrics: Metrics | undefined;
  /** The handler of one listener with its requests audited, logged (access and security lines) and counted. */
  audited(handler: RequestHandler, channel: string): RequestHandler;
  /** Records a refusal below the oneM2M layer (TLS handshake, SA function); never throws. */
  authenticationFailure(e: Omit<AuditEvent, 'at' | 'kind'>): void;
}

function credentialOf(a: AdministratorConfig): AdministratorCredential {
  if (a.credentialId) return { credentialId: a.credentialId };
  if (a.pskIdentity) return { pskIdentity: a.pskIdentity };
  if (a.certificateSan) return { certificateSan: a.certificateSan };
  return { certificateFingerprint256: a.certificateFingerprint256! };
}

/** The Administrators of a configuration (also used by the credentials CLI for the reserved IDs). */
export function administratorsOf(config: InCseConfig): Administrators {
  const principals: AdministratorPrincipal[] = config.security.administrators.map((a) => ({
    name: a.name,
    originator: a.originator,
    credential: credentialOf(a),
  }));
  try {
    return new Administrators({
      idContext: { spId: config.cse.spId, cseId: config.cse.cseId },
      principals,
      // Only the development profile trusts From on the (loopback-only) plain listener.
      plainLoopbackOriginators: config.profile === 'development' ? config.cse.adminOriginators : [],
      otherReservedIds: config.cse.adminOriginators,
    });
  } catch (e) {
    throw new ConfigError(`security.administrators: ${(e as Error).message}`);
  }
}

export function openAdministration(
  config: InCseConfig,
  store: Store,
  log: Logger,
  metrics?: Metrics,
): InCseAdministration {
  const administrators = administratorsOf(config);
  // The store itself (not a bare collection): queries walk the audit indexes and retention is bounded.
  const audit = new AuditLog(store);
  const idContext = { spId: config.cse.spId, cseId: config.cse.cseId };
  const onError = (m: string) => log.error({}, m);
  return {
    administrators,
    audit,
    metrics,
    audited: (handler, channel) =>
      observeHandler(auditedHandler(handler, { administrators, audit, idContext, channel, onError }), {
        log,
        metrics,
        channel,
        accessSampling: config.log.accessSampling ?? 1,
      }),
    authenticationFailure(e) {
      audit.record({ kind: 'authentication-failure', ...e }).catch((err) => onError(`audit: ${err.message}`));
    },
  };
}
