// Credential-ID = <sec:credIDTypeID> '-' <value> (TS-0003 10.4, type codes Table 12.3.2.1-1).
import { parseOriginator } from '@m2msec/protocol';
import { badRequest, show } from '../lib/errors.js';

export const CredentialIdType = {
  MEF_KEY: 10, // KpmID
  MAF_KEY: 11, // KmID
  SAEF_KEY: 12, // KpsaID or KcID
  ESPRIM_KEY: 13, // pairwiseESPrimKeyID
  ESDATA_ENCRYPTION_KEY: 14,
  ESDATA_KEY_WRAP_KEY: 15,
  ESDATA_HMAC_KEY: 16,
  TLS_RAW_PUBLIC_KEY: 30, // RFC 6920 public key identifier
  TLS_DEVICE_CERTIFICATE: 31, // hardware instance ID
  TLS_CSE_ID_CERTIFICATE: 32, // CSE-ID
  TLS_AE_ID_CERTIFICATE: 33, // AE-ID
  TLS_NODE_ID_CERTIFICATE: 34, // Node-ID
  ESDATA_ENCRYPTION_RAW_PUBLIC_KEY: 41,
  ESDATA_ENCRYPTION_DEVICE_CERTIFICATE: 42,
  ESDATA_ENCRYPTION_CSE_ID_CERTIFICATE: 43,
  ESDATA_ENCRYPTION_AE_ID_CERTIFICATE: 44,
  ESDATA_ENCRYPTION_NODE_ID_CERTIFICATE: 45,
  ESDATA_SIGNATURE_RAW_PUBLIC_KEY: 51,
  ESDATA_SIGNATURE_DEVICE_CERTIFICATE: 52,
  ESDATA_SIGNATURE_CSE_ID_CERTIFICATE: 53,
  ESDATA_SIGNATURE_AE_ID_CERTIFICATE: 54,
  ESDATA_SIGNATURE_NODE_ID_CERTIFICATE: 55,
} as const;
export type CredentialIdType = (typeof CredentialIdType)[keyof typeof CredentialIdType];

const TYPES: ReadonlySet<number> = new Set(Object.values(CredentialIdType));
const CSE_ID_TYPES: ReadonlySet<number> = new Set([32, 43, 53]);
const AE_ID_TYPES: ReadonlySet<number> = new Set([33, 44, 54]);

export interface CredentialId {
  readonly type: CredentialIdType;
  /** Value part, normalised (see normalisation in parseCredentialId). */
  readonly value: string;
  /** The normalised Credential-ID string: the key for bindings and rule matching. */
  readonly id: string;
}

// TS-0003 10.4: key identifier values use the Roman alphabet, numerals, '.', '_', '-' and '@'.
const KEY_ID_VALUE = /^[A-Za-z0-9._@-]+$/;
// Certificate-derived values are xs:anyURI (Table 12.2-1): RFC 3986 characters, no spaces or controls.
const URI_VALUE = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;

/**
 * Parses and normalises a Credential-ID. Normalisation: the FQDN after the last '@' of a key
 * identifier (types 10-16) is lowercased (DNS names are case-insensitive); a KmID (type 11) is
 * lowercased whole (its MAF-relative part is case-insensitive, TS-0003 10.6). 4000 when malformed
 * or of a type Table 12.3.2.1-1 does not define.
 */
export function parseCredentialId(credentialId: string): CredentialId {
  if (typeof credentialId !== 'string') badRequest('Credential-ID must be a string');
  const dash = credentialId.indexOf('-');
  const typePart = dash < 0 ? '' : credentialId.slice(0, dash);
  if (!/^[1-9][0-9]{0,2}$/.test(typePart)) {
    badRequest(`Credential-ID ${show(credentialId)} must start with a credIDTypeID and '-' (TS-0003 10.4)`);
  }
  const type = Number(typePart);
  if (!TYPES.has(type)) {
    badRequest(`Credential-ID ${show(credentialId)}: credIDTypeID ${type} is not defined (TS-0003 Table 12.3.2.1-1)`);
  }
  let value = credentialId.slice(dash + 1);
  if (value.length === 0) badRequest(`Credential-ID ${show(credentialId)} has an empty value part (TS-0003 10.4)`);
  if (type <= 16) {
    if (!KEY_ID_VALUE.test(value)) {
      badRequest(
        `Credential-ID ${show(credentialId)}: a key identifier uses letters, digits, '.', '_', '-', '@' (TS-0003 10.4)`,
      );
    }
    if (type === CredentialIdType.MAF_KEY) value = value.toLowerCase();
    else {
      const at = value.lastIndexOf('@');
      if (at >= 0) value = value.slice(0, at + 1) + value.slice(at + 1).toLowerCase();
    }
  } else if (CSE_ID_TYPES.has(type) || AE_ID_TYPES.has(type)) {
    const o = parseOriginator(value);
    const wanted = CSE_ID_TYPES.has(type) ? 'a CSE-ID' : 'an AE-ID';
    const ok = CSE_ID_TYPES.has(type) ? o.kind === 'cse' : o.kind === 'ae-c' || o.kind === 'ae-s';
    if (!ok || o.scope === 'cse-relative') {
      badRequest(`Credential-ID ${show(credentialId)}: type ${type} names ${wanted} in SP-relative or absolute form`);
    }
  } else if (!URI_VALUE.test(value)) {
    badRequest(`Credential-ID ${show(credentialId)}: the value part must be a URI (TS-0003 Table 12.2-1)`);
  }
  return { type: type as CredentialIdType, value, id: `${type}-${value}` };
}

export function formatCredentialId(type: CredentialIdType, value: string): string {
  return parseCredentialId(`${type}-${value}`).id;
}
