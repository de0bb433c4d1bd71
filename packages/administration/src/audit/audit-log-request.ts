// The audit log as administrators read it (docs/administration.md): GET with X-M2M-Origin set to an
// administrator's originator, over a connection whose association proved that administrator's
// credential (or, in the development profile, plain loopback). The answer is an HTTP status and a
// JSON body; a refusal and a read are both recorded.
import type { IdContext, TransportContext } from '@m2msec/protocol';
import type { Administrators } from '../principals/administrators.js';
import { describeCredential } from '../principals/principal.js';
import { spRelativeId } from '../principals/reserved-ids.js';
import type { AuditEvent, AuditEventKind } from './audit-event.js';
import type { AuditLog } from './audit-log.js';

export const AUDIT_PATH = '/.well-known/m2msec/audit';
const KINDS: readonly AuditEventKind[] = ['administrative-action', 'authentication-failure'];

export interface AuditLogRequest {
  /** X-M2M-Origin ('' when absent). */
  from: string;
  /** What the connection proved; undefined when a TLS session has no association (fail closed). */
  transport: TransportContext | undefined;
  /** Query parameters as received (kind, since, limit). */
  query: Record<string, unknown>;
}

export interface AuditLogAnswer {
  status: 200 | 400 | 403;
  body: { events: AuditEvent[] } | { error: string };
}

export function auditLogReader(o: { administrators: Administrators; audit: AuditLog; idContext: IdContext }) {
  return async (r: AuditLogRequest): Promise<AuditLogAnswer> => {
    const originator = spRelativeId(r.from, o.idContext) ?? r.from;
    const admin = r.transport ? o.administrators.administratorOf(originator, r.transport) : undefined;
    const record = {
      channel: 'admin-api',
      op: 2,
      to: AUDIT_PATH,
      ...(r.transport?.peerAddress ? { peerAddress: r.transport.peerAddress } : {}),
      ...(originator ? { originator } : {}),
    };
    if (!admin) {
      await o.audit.record({
        kind: 'authentication-failure',
        ...record,
        rsc: 4106,
        reason: 'audit log requested without an administrator credential',
      });
      return {
        status: 403,
        body: { error: 'the audit log is for administrators over an association that proved their credential' },
      };
    }
    const { kind, since, limit } = r.query;
    if (
      (kind !== undefined && !KINDS.includes(kind as AuditEventKind)) ||
      (since !== undefined && (typeof since !== 'string' || Number.isNaN(Date.parse(since)))) ||
      (limit !== undefined && (typeof limit !== 'string' || !/^[1-9]\d{0,3}$/.test(limit) || Number(limit) > 1000))
    ) {
      return { status: 400, body: { error: `kind is one of ${KINDS.join(', ')}; since an ISO time; limit 1 to 1000` } };
    }
    const events = await o.audit.query({
      ...(kind ? { kind: kind as AuditEventKind } : {}),
      ...(since ? { since: new Date(since as string) } : {}),
      ...(limit ? { limit: Number(limit) } : {}),
    });
    await o.audit.record({
      kind: 'administrative-action',
      ...record,
      administrator: admin.principal.name,
      credential: admin.via === 'credential' ? describeCredential(admin.principal.credential) : 'plain-loopback',
      rsc: 2000,
    });
    return { status: 200, body: { events } };
  };
}
