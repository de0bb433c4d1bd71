// Audits what passes through a CSE's RequestHandler: every request an administrator made (with the
// status it got) and every request refused because its originator was not authenticated
// (4106 ORIGINATOR_NOT_AUTHENTICATED, 4107 SECURITY_ASSOCIATION_REQUIRED; TS-0004 7.3.2.1).
// The record is committed before the response leaves.
import {
  type HandlerResponse,
  type IdContext,
  type RequestHandler,
  ResponseStatusCode,
  type TransportContext,
} from '@m2msec/protocol';
import type { Administrators } from '../principals/administrators.js';
import { describeCredential } from '../principals/principal.js';
import { spRelativeId } from '../principals/reserved-ids.js';
import type { AuditEventInput } from './audit-event.js';
import type { AuditLog } from './audit-log.js';

export interface AuditedHandlerOptions {
  administrators: Administrators;
  audit: AuditLog;
  idContext: IdContext;
  /** Name of the listener, e.g. 'http', 'https-psk', 'https-certificate', 'mqtt'. */
  channel: string;
  onError?: (message: string) => void;
}

const AUTHENTICATION_FAILURES: ReadonlySet<number> = new Set([
  ResponseStatusCode.ORIGINATOR_NOT_AUTHENTICATED,
  ResponseStatusCode.SECURITY_ASSOCIATION_REQUIRED,
]);

/** What the transport proved, as an identifier for the audit log. */
export function presentedCredential(t: TransportContext): string | undefined {
  if (t.association?.credentialId) return `credentialId:${t.association.credentialId}`;
  if (t.tls?.pskIdentity) return `pskIdentity:${t.tls.pskIdentity}`;
  if (t.tls?.peerCertificate) return `certificateFingerprint256:${t.tls.peerCertificate.fingerprint256}`;
  return undefined;
}

export function auditedHandler(handler: RequestHandler, o: AuditedHandlerOptions): RequestHandler {
  return async (raw, transport) => {
    const rsp: HandlerResponse = await handler(raw, transport);
    const req = raw as { fr?: unknown; op?: unknown; to?: unknown; ty?: unknown };
    const fr = typeof req?.fr === 'string' ? req.fr : undefined;
    const originator = fr === undefined ? undefined : (spRelativeId(fr, o.idContext) ?? fr);
    const admin = originator ? o.administrators.administratorOf(originator, transport) : undefined;
    let event: AuditEventInput | undefined;
    const base = {
      channel: o.channel,
      ...(transport.association ? { framework: transport.association.framework } : {}),
      ...(transport.peerAddress ? { peerAddress: transport.peerAddress } : {}),
      ...(originator ? { originator } : {}),
      ...(typeof req?.op === 'number' ? { op: req.op } : {}),
      ...(typeof req?.to === 'string' ? { to: req.to } : {}),
      ...(typeof req?.ty === 'number' ? { ty: req.ty } : {}),
      rsc: rsp.rsc,
    };
    if (admin) {
      event = {
        kind: 'administrative-action',
        ...base,
        administrator: admin.principal.name,
        credential: admin.via === 'credential' ? describeCredential(admin.principal.credential) : 'plain-loopback',
      };
    } else if (AUTHENTICATION_FAILURES.has(rsp.rsc)) {
      const credential = presentedCredential(transport);
      event = {
        kind: 'authentication-failure',
        ...base,
        ...(credential ? { credential } : {}),
        ...(rsp.dbg !== undefined ? { reason: String(rsp.dbg) } : {}),
      };
    }
    if (event) {
      try {
        await o.audit.record(event);
      } catch (e) {
        o.onError?.(`audit record failed: ${(e as Error).message}`);
      }
    }
    return rsp;
  };
}
