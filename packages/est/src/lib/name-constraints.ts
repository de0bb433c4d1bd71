// RFC 5280 4.2.1.10 name constraints for the two name forms this CA issues. TS-0003 10.1.1.5
// requires the issuer of AE-ID certificates to carry nameConstraints satisfied by the host of the
// AE-ID URI; the server refuses to issue a name its own CA certificate does not permit, so a
// relying party's path validation can never be the first to notice.
import { EstError } from '../errors.js';
import { children, content, readTlv, seq, tlv } from './der.js';
import { encodeGeneralName, type GeneralName, show, uriHost } from './general-names.js';

/** Subtrees by name form. DNS: "example.com" matches it and its subdomains; ".example.com" subdomains only.
 *  URI: a host ("m2m.example.com" exactly) or a domain (".example.com", any host under it). */
export interface NameConstraints {
  permitted?: { dns?: readonly string[]; uri?: readonly string[] };
  excluded?: { dns?: readonly string[]; uri?: readonly string[] };
}

function dnsWithin(name: string, base: string): boolean {
  const n = name.toLowerCase();
  const b = base.toLowerCase();
  if (b.startsWith('.')) return n.endsWith(b);
  return n === b || n.endsWith(`.${b}`);
}

function uriWithin(uri: string, base: string): boolean {
  const host = uriHost(uri);
  if (host === undefined) return false;
  const b = base.toLowerCase();
  return b.startsWith('.') ? host.endsWith(b) : host === b;
}

/** Throws 403 when `name` violates the constraints. */
export function checkNameConstraints(name: GeneralName, nc: NameConstraints | undefined): void {
  if (!nc) return;
  const within = name.type === 'dns' ? dnsWithin : uriWithin;
  const permitted = name.type === 'dns' ? nc.permitted?.dns : nc.permitted?.uri;
  const excluded = name.type === 'dns' ? nc.excluded?.dns : nc.excluded?.uri;
  if (excluded?.some((b) => within(name.value, b))) {
    throw new EstError(403, `subjectAltName ${show(name)} is excluded by the CA's nameConstraints`);
  }
  if (permitted && !permitted.some((b) => within(name.value, b))) {
    throw new EstError(403, `subjectAltName ${show(name)} is outside the CA's permitted nameConstraints`);
  }
}

function subtrees(part: { dns?: readonly string[]; uri?: readonly string[] }): Uint8Array[] {
  const names: GeneralName[] = [
    ...(part.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(part.uri ?? []).map((value) => ({ type: 'uri' as const, value })),
  ];
  return names.map((n) => seq(encodeGeneralName(n)));
}

/** NameConstraints extension value (DER). */
export function encodeNameConstraints(nc: NameConstraints): Uint8Array {
  const parts: Uint8Array[] = [];
  const p = nc.permitted ? subtrees(nc.permitted) : [];
  const e = nc.excluded ? subtrees(nc.excluded) : [];
  if (p.length) parts.push(tlv(0xa0, ...p));
  if (e.length) parts.push(tlv(0xa1, ...e));
  if (parts.length === 0) throw new RangeError('nameConstraints without any subtree');
  return seq(...parts);
}

/** Reads the DNS and URI subtrees of a nameConstraints value; other forms do not constrain what we issue. */
export function parseNameConstraints(der: Uint8Array): NameConstraints {
  const outer = readTlv(der, 0, der.length, 'nameConstraints');
  const nc: NameConstraints = {};
  for (const part of children(der, outer, 'nameConstraints')) {
    const dns: string[] = [];
    const uri: string[] = [];
    for (const subtree of children(der, part, 'GeneralSubtree')) {
      const [base, ...rest] = children(der, subtree, 'GeneralSubtree');
      if (!base) throw new EstError(500, 'CA nameConstraints has an empty GeneralSubtree');
      if (rest.length) throw new EstError(500, 'CA nameConstraints with minimum/maximum are not supported');
      const v = Buffer.from(content(der, base)).toString('latin1');
      if (base.tag === 0x82) dns.push(v);
      else if (base.tag === 0x86) uri.push(v);
    }
    if (part.tag === 0xa0) nc.permitted = { dns, uri };
    else if (part.tag === 0xa1) nc.excluded = { dns, uri };
  }
  // A permitted list for one form only leaves the other form unconstrained (RFC 5280 4.2.1.10).
  if (nc.permitted) {
    nc.permitted = {
      ...(nc.permitted.dns?.length ? { dns: nc.permitted.dns } : {}),
      ...(nc.permitted.uri?.length ? { uri: nc.permitted.uri } : {}),
    };
  }
  return nc;
}
