// Certificate-Based SAEF binding (TS-0003 8.2.2.2): the identity the peer's certificate proves, read
// from its subjectAltName, and the Credential-ID (TS-0003 10.4, Table 12.3.2.1-1) it is known by.
//   AE-ID certificate  (10.1.1.5): URI SAN, the full URI of the AE-ID: <scheme>://<SP-ID>/<CSE-ID>/<C-stem>
//                                   or <scheme>://<SP-ID>/<S-stem>                -> bound to that AE-ID
//   CSE-ID certificate (10.1.1.7): DNS SAN, the public domain name of the CSE-ID (TS-0001 6.5.1.1):
//                                   <IN-CSE-ID>.<SP domain> or <CSE-ID>.<IN public domain> -> that CSE-ID
//   Node-ID certificate (10.1.1.8): URI SAN in the urn: scheme (OID or IMEI forms of TS-0001 7.1.5)
//   Device certificate (10.1.1.4):  otherName under the M2M Device Indication arc (TS-0001 H.2.1)
// Node-ID and device certificates bind to a Credential-ID that the CSE resolves later (8.2.2.2).
import { parseOriginator, toSpRelativeOriginator } from '@m2msec/protocol';
import { SaefError, show } from '../lib/errors.js';
import type { SubjectAltNameEntry } from './parse.js';

export type CertificateIdentityKind = 'ae' | 'cse' | 'node' | 'device';

export interface CertificateIdentity {
  kind: CertificateIdentityKind;
  /** AE-ID / CSE-ID in SP-relative form (absolute for another SP), Node-ID or device ID. */
  id: string;
  /** Credential-ID: 33-<AE-ID>, 32-<CSE-ID>, 34-<Node-ID>, 31-<device ID>. */
  credentialId: string;
}

export interface IdentityContext {
  /** M2M-SP-ID of this CSE's SP, e.g. 'm2msec.org'. */
  spId: string;
  /** SP-relative CSE-ID of the IN-CSE of this SP, e.g. '/id-in' (its public domain: id-in.m2msec.org). */
  inCseId: string;
  /** otherName type-IDs that are M2M Device Indication IDs; default ['0.2.481.1']. */
  deviceIndicationIds?: readonly string[];
}

function aeFromUri(uri: string, ctx: IdentityContext): CertificateIdentity | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]+)(\/[^?#]*)$/.exec(uri);
  if (!m) return undefined;
  const host = m[2]!.toLowerCase();
  let o: ReturnType<typeof parseOriginator>;
  try {
    o = parseOriginator(`//${host}${m[3]}`);
  } catch {
    return undefined;
  }
  if (o.kind !== 'ae-c' && o.kind !== 'ae-s') return undefined;
  const id = toSpRelativeOriginator(o, { spId: ctx.spId, cseId: ctx.inCseId });
  return { kind: 'ae', id, credentialId: `33-${id}` };
}

function cseFromDns(name: string, ctx: IdentityContext): CertificateIdentity | undefined {
  const dns = name.toLowerCase();
  const inDomain = `${ctx.inCseId.slice(1)}.${ctx.spId}`.toLowerCase();
  let csi: string | undefined;
  if (dns === inDomain) csi = ctx.inCseId.slice(1);
  else if (dns.endsWith(`.${inDomain}`)) {
    const label = dns.slice(0, -inDomain.length - 1);
    if (/^[a-z0-9-_~]+$/.test(label)) csi = label;
  }
  if (csi === undefined) return undefined;
  // DNS is case-insensitive; CSE-IDs are kept as written in the (lowercased) name.
  return { kind: 'cse', id: `/${csi}`, credentialId: `32-/${csi}` };
}

/**
 * The identity proven by a certificate's subjectAltName. The first SAN that is an AE-ID, then a
 * CSE-ID, then a Node-ID, then a device ID wins; none: SaefError CERTIFICATE_IDENTITY.
 */
export function certificateIdentity(sans: readonly SubjectAltNameEntry[], ctx: IdentityContext): CertificateIdentity {
  const devices = ctx.deviceIndicationIds ?? ['0.2.481.1'];
  for (const n of sans) {
    if (n.type === 'uri' && !n.value.toLowerCase().startsWith('urn:')) {
      const ae = aeFromUri(n.value, ctx);
      if (ae) return ae;
    }
  }
  for (const n of sans) {
    if (n.type === 'dns') {
      const cse = cseFromDns(n.value, ctx);
      if (cse) return cse;
    }
  }
  for (const n of sans) {
    if (n.type === 'uri' && /^urn:[a-z0-9][a-z0-9-]{0,31}:[^\s]+$/i.test(n.value)) {
      return { kind: 'node', id: n.value, credentialId: `34-${n.value}` };
    }
  }
  for (const n of sans) {
    if (n.type === 'other' && n.typeId && devices.includes(n.typeId)) {
      const id = `${n.typeId}.${n.value}`;
      return { kind: 'device', id, credentialId: `31-${id}` };
    }
  }
  throw new SaefError(
    'CERTIFICATE_IDENTITY',
    `no subjectAltName names an AE-ID, a CSE-ID of SP ${show(ctx.spId)}, a Node-ID or a device ID (TS-0003 8.2.2.2): ${sans
      .map((n) => `${n.type}:${n.value}`)
      .join(', ')}`,
  );
}
