// Algorithm and variant negotiation on KeyProvClientHello (RFC 6063 sections 3.2.4, 4.2.1, 5.2.1):
// the first client preference the server supports wins; no overlap is the matching status.
import { DskppError } from '../lib/errors.js';
import {
  ENC_KW_AES128,
  ENC_RSA_OAEP,
  type FourPassEncryptionUri,
  KEY_PACKAGE_PSKC,
  KEY_TYPE_LENGTHS,
  type KeyTypeUri,
  type MacAlgorithmUri,
} from '../lib/uris.js';
import type { KeyProvClientHello } from '../messages/types.js';
import { isMacAlgorithm } from '../prf/dskpp-prf.js';

export interface Negotiated {
  variant: 'four-pass' | 'two-pass';
  keyType: KeyTypeUri;
  /** kw-aes128 (K_SHARED) or, in the public-key 4-pass profile, RSA-OAEP to the server certificate. */
  encryptionAlgorithm: FourPassEncryptionUri;
  macAlgorithm: MacAlgorithmUri;
  keyPackageFormat: typeof KEY_PACKAGE_PSKC;
}

export interface NegotiationPolicy {
  keyTypes: readonly KeyTypeUri[];
  macAlgorithms: readonly MacAlgorithmUri[];
  variants: readonly ('four-pass' | 'two-pass')[];
  /** The server holds a certificate and key for the public-key 4-pass profile. */
  publicKey: boolean;
}

/**
 * The 4-pass encryption of R_C: the client's first preference the server can do. In 2-pass the
 * algorithm protects K_PROV: kw-aes128 (key wrap profile) or RSA-OAEP (key transport profile); the
 * 2-pass server checks it against the key protection method it picks.
 */
function chooseEncryption(
  hello: KeyProvClientHello,
  policy: NegotiationPolicy,
  variant: 'four-pass' | 'two-pass',
): FourPassEncryptionUri {
  const usable = (a: string) =>
    a === ENC_KW_AES128 || (a === ENC_RSA_OAEP && (variant === 'two-pass' || policy.publicKey));
  const chosen = hello.supportedEncryptionAlgorithms.find(usable);
  if (!chosen) {
    throw new DskppError(
      'NoSupportedEncryptionAlgorithms',
      policy.publicKey && variant === 'four-pass'
        ? `neither ${ENC_RSA_OAEP} nor ${ENC_KW_AES128} was offered`
        : `${ENC_KW_AES128} was not offered`,
    );
  }
  return chosen as FourPassEncryptionUri;
}

function chooseVariant(hello: KeyProvClientHello, policy: NegotiationPolicy): 'four-pass' | 'two-pass' {
  const pv = hello.protocolVariants;
  // R_C in the hello means the client runs the 2-pass variant (RFC 6063 section 5.2.1).
  if (hello.clientNonce) {
    if ((!pv || pv.twoPass) && policy.variants.includes('two-pass')) return 'two-pass';
    throw new DskppError('NoProtocolVariants', 'the client sent R_C but the two-pass variant is not available');
  }
  if ((!pv || pv.fourPass) && policy.variants.includes('four-pass')) return 'four-pass';
  if (pv?.twoPass) throw new DskppError('NoProtocolVariants', 'two-pass offered without ClientNonce (R_C)');
  throw new DskppError('NoProtocolVariants', 'no protocol variant in common (server offers four-pass)');
}

export function negotiate(hello: KeyProvClientHello, policy: NegotiationPolicy): Negotiated {
  const variant = chooseVariant(hello, policy);
  const keyType = hello.supportedKeyTypes.find((k): k is KeyTypeUri =>
    (policy.keyTypes as readonly string[]).includes(k),
  );
  if (!keyType || !Object.hasOwn(KEY_TYPE_LENGTHS, keyType)) {
    throw new DskppError('NoSupportedKeyTypes', `none of the key types offered is supported`);
  }
  const encryptionAlgorithm = chooseEncryption(hello, policy, variant);
  const macAlgorithm = hello.supportedMacAlgorithms.find(
    (m): m is MacAlgorithmUri => isMacAlgorithm(m) && (policy.macAlgorithms as readonly string[]).includes(m),
  );
  if (!macAlgorithm)
    throw new DskppError('NoSupportedMacAlgorithms', 'none of the MAC algorithms offered is supported');
  if (hello.supportedKeyPackages && !hello.supportedKeyPackages.includes(KEY_PACKAGE_PSKC)) {
    throw new DskppError('NoSupportedKeyPackages', `only ${KEY_PACKAGE_PSKC} key packages are produced`);
  }
  return { variant, keyType, encryptionAlgorithm, macAlgorithm, keyPackageFormat: KEY_PACKAGE_PSKC };
}
