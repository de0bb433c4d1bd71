// CSR Attributes (RFC 7030 4.5.2): CsrAttrs ::= SEQUENCE OF AttrOrOID, AttrOrOID ::= CHOICE
// { oid OBJECT IDENTIFIER, attribute Attribute }. What this MEF announces follows the TS-0003
// 10.1.4 CSR profile and 8.3.6.2.2 step 2: the key type (id-ecPublicKey with secp256r1), the
// signature algorithm (ecdsa-with-SHA256), the subjectAltName extension (the identity attribute,
// with the expected names when the policy knows them) and challengePassword when channel
// binding is in force.

import { extension } from '../certificate/extensions.js';
import { EstError } from '../errors.js';
import { children, content, expectTlv, oid, oidToString, seq, set, whole } from '../lib/der.js';
import { encodeGeneralNames, type GeneralName } from '../lib/general-names.js';
import { OID } from '../lib/oids.js';

export interface CsrAttributesOptions {
  /** Announce challengePassword (channel binding, RFC 7030 3.5). */
  challengePassword: boolean;
  /** Names this client is expected to request, when known (RFC 9908-style template value). */
  subjectAltName?: readonly GeneralName[];
}

export function encodeCsrAttributes(o: CsrAttributesOptions): Uint8Array {
  const items: Uint8Array[] = [];
  if (o.challengePassword) items.push(oid(OID.challengePassword));
  items.push(seq(oid(OID.ecPublicKey), set(oid(OID.secp256r1))));
  items.push(oid(OID.ecdsaWithSHA256));
  if (o.subjectAltName?.length) {
    const san = extension(OID.subjectAltName, false, encodeGeneralNames(o.subjectAltName));
    items.push(seq(oid(OID.extensionRequest), set(seq(san))));
  } else {
    items.push(oid(OID.subjectAltName));
  }
  return seq(...items);
}

export interface CsrAttributes {
  /** Bare OIDs (dotted). */
  readonly oids: readonly string[];
  /** Attributes: type (dotted) and each value as DER. */
  readonly attributes: readonly { readonly type: string; readonly values: readonly Uint8Array[] }[];
}

export function decodeCsrAttributes(der: Uint8Array): CsrAttributes {
  const top = expectTlv(der, 0, 0x30, der.length, 'CsrAttrs');
  if (top.end !== der.length) throw new EstError(400, 'trailing bytes after CsrAttrs');
  const oids: string[] = [];
  const attributes: { type: string; values: Uint8Array[] }[] = [];
  for (const item of children(der, top, 'CsrAttrs')) {
    if (item.tag === 0x06) oids.push(oidToString(content(der, item)));
    else if (item.tag === 0x30) {
      const [type, values] = children(der, item, 'Attribute');
      if (type?.tag !== 0x06 || !values || values.tag !== 0x31) throw new EstError(400, 'malformed CSR attribute');
      attributes.push({
        type: oidToString(content(der, type)),
        values: children(der, values, 'Attribute values').map((v) => whole(der, v)),
      });
    } else throw new EstError(400, 'CsrAttrs item is neither an OID nor an Attribute');
  }
  return { oids, attributes };
}
