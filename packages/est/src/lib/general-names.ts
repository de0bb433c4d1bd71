// subjectAltName GeneralNames of the TS-0003 10.1.1.5 / 10.1.1.7 / 10.1.1.8 profiles:
// an AE-ID certificate carries the full URI of the AE-ID (uniformResourceIdentifier), a CSE-ID
// certificate the public domain name of the CSE-ID (dNSName), a Node-ID certificate the Node-ID
// (here as a URI, e.g. urn:oid:...). No wildcards in any of them.
import { EstError } from '../errors.js';
import { children, content, ia5String, readTlv, seq, type Tlv } from './der.js';

export type GeneralName =
  | { readonly type: 'dns'; readonly value: string }
  | { readonly type: 'uri'; readonly value: string };

const TAG_DNS = 0x82; // [2] IMPLICIT IA5String
const TAG_URI = 0x86; // [6] IMPLICIT IA5String
const TAG_NAMES: Record<number, string> = {
  160: 'otherName',
  129: 'rfc822Name',
  163: 'x400Address',
  164: 'directoryName',
  165: 'ediPartyName',
  135: 'iPAddress',
  136: 'registeredID',
};

const DNS_NAME =
  /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#[\]@!$&'()+,;=%]+$/;

/** Checks one name against the profile (fail closed). */
export function checkGeneralName(name: GeneralName): void {
  if (name.value.includes('*'))
    throw new EstError(400, `subjectAltName ${show(name)} contains a wildcard (TS-0003 10.1.1.5-10.1.1.8)`);
  if (name.type === 'dns' && !DNS_NAME.test(name.value))
    throw new EstError(400, `subjectAltName ${show(name)} is not a domain name`);
  if (name.type === 'uri' && !URI.test(name.value))
    throw new EstError(400, `subjectAltName ${show(name)} is not an absolute URI`);
}

/** Parses GeneralNames (the SAN extension value). */
export function parseGeneralNames(buf: Uint8Array, outer: Tlv): GeneralName[] {
  if (outer.tag !== 0x30) throw new EstError(400, 'subjectAltName is not a SEQUENCE of GeneralName');
  const names: GeneralName[] = [];
  for (const t of children(buf, outer, 'subjectAltName')) {
    if (t.tag !== TAG_DNS && t.tag !== TAG_URI) {
      const kind = TAG_NAMES[t.tag] ?? `tag 0x${t.tag.toString(16)}`;
      throw new EstError(
        400,
        `subjectAltName ${kind} entries are outside the TS-0003 10.1.4 CSR profile (use a URI or dNSName)`,
      );
    }
    const bytes = content(buf, t);
    for (const b of bytes)
      if (b < 0x21 || b > 0x7e) throw new EstError(400, 'subjectAltName entry is not printable IA5');
    const name: GeneralName = { type: t.tag === TAG_DNS ? 'dns' : 'uri', value: Buffer.from(bytes).toString('latin1') };
    checkGeneralName(name);
    names.push(name);
  }
  if (names.length === 0) throw new EstError(400, 'subjectAltName is empty');
  return names;
}

export function parseGeneralNamesDer(der: Uint8Array): GeneralName[] {
  const t = readTlv(der, 0, der.length, 'subjectAltName');
  if (t.end !== der.length) throw new EstError(400, 'trailing bytes after subjectAltName');
  return parseGeneralNames(der, t);
}

export function encodeGeneralNames(names: readonly GeneralName[]): Uint8Array {
  return seq(...names.map(encodeGeneralName));
}

export function encodeGeneralName(n: GeneralName): Uint8Array {
  const e = ia5String(n.value);
  e[0] = n.type === 'dns' ? TAG_DNS : TAG_URI;
  return e;
}

/** Same names, order ignored (RFC 7030 4.2.2 "identical" SAN for re-enrolment). */
export function sameGeneralNames(a: readonly GeneralName[], b: readonly GeneralName[]): boolean {
  const key = (n: GeneralName) => `${n.type}:${n.type === 'dns' ? n.value.toLowerCase() : n.value}`;
  const sa = new Set(a.map(key));
  const sb = new Set(b.map(key));
  if (sa.size !== sb.size) return false;
  for (const k of sa) if (!sb.has(k)) return false;
  return true;
}

/** Host of a URI with an authority (scheme://[userinfo@]host[:port]...), lowercased; undefined without one. */
export function uriHost(uri: string): string | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^:/?#]+)/.exec(uri);
  return m?.[1]?.toLowerCase();
}

export function show(n: GeneralName): string {
  const v = n.value.length > 120 ? `${n.value.slice(0, 120)}...` : n.value;
  return `${n.type === 'dns' ? 'DNS' : 'URI'}:${JSON.stringify(v)}`;
}
