// One audit record (TS-0003 6.2.3: administration is accountable). Identifiers only: never a key,
// a request body, a token or a header value other than the originator; free text is cut to a length
// and stripped of control characters so a record cannot forge another line in a log viewer.

export type AuditEventKind = 'administrative-action' | 'authentication-failure';

export interface AuditEvent {
  /** ISO 8601 time the event was recorded. */
  at: string;
  kind: AuditEventKind;
  /** Where it came from: 'http', 'https-psk', 'https-certificate', 'mqtt', 'admin-api', ... */
  channel?: string;
  /** SAEF framework of the association ('psk', 'certificate', 'derived-key', 'maf', 'mqtt-broker'). */
  framework?: string;
  peerAddress?: string;
  /** From, as claimed (normalised when it parsed). */
  originator?: string;
  /** The administrator principal's name (administrative actions). */
  administrator?: string;
  /** Credential-ID, PSK identity or certificate SAN / fingerprint the association presented. */
  credential?: string;
  op?: number;
  to?: string;
  ty?: number;
  /** Response status code the request got. */
  rsc?: number;
  /** Why (refusals), as the client was told or the SA function logged it. */
  reason?: string;
  /** An aggregate: how many more failures of this source the window saw after the one recorded. */
  repeated?: number;
}

export type AuditEventInput = Omit<AuditEvent, 'at'>;

const MAX_TEXT = 256;

/** Cuts a value to MAX_TEXT characters and replaces control characters (log injection). */
export function auditText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = String(v);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT)}…` : clean;
}

const TEXT_FIELDS = [
  'channel',
  'framework',
  'peerAddress',
  'originator',
  'administrator',
  'credential',
  'to',
  'reason',
] as const;
const NUMBER_FIELDS = ['op', 'ty', 'rsc', 'repeated'] as const;

/** A clean copy with only the known fields. */
export function cleanAuditEvent(e: AuditEventInput, at: Date): AuditEvent {
  const out: AuditEvent = { at: at.toISOString(), kind: e.kind };
  for (const k of TEXT_FIELDS) {
    const v = auditText(e[k]);
    if (v !== undefined && v !== '') out[k] = v;
  }
  for (const k of NUMBER_FIELDS) {
    const v = e[k];
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  return out;
}
