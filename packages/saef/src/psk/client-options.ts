// Provisioned Symmetric Key SAEF, Entity A (TS-0003 8.2.2.1): the client side of TLS-PSK.
import type { ConnectionOptions } from 'node:tls';
import { SaefError } from '../lib/errors.js';
import { pskCipherList } from './ciphers.js';

export interface PskClientOptions {
  /** psk_identity: KpsaID, the Kc Key Identifier, or a DerivedKey identity. */
  identity: string;
  /** The PSK bytes (Kpsa, Kc, K_RS-C). */
  key: Uint8Array;
  /** Offer TLS 1.3 external PSK too; default false (TS-0003 R3 profile is TLS 1.2). */
  tls13?: boolean;
  /** SNI (TS-0003 10.2 makes it mandatory); default: the host connected to, when it is a name. */
  servername?: string;
}

export function pskClientOptions(o: PskClientOptions): ConnectionOptions {
  if (typeof o.identity !== 'string' || o.identity.length === 0 || o.identity.length > 65535) {
    throw new SaefError('INVALID_INPUT', 'psk_identity must be 1 to 65535 characters');
  }
  if (!(o.key instanceof Uint8Array) || o.key.length === 0) {
    throw new SaefError('INVALID_INPUT', 'the PSK must be non-empty bytes');
  }
  const key = Buffer.from(o.key);
  const identity = o.identity;
  return {
    ciphers: pskCipherList(o.tls13 ?? false),
    minVersion: 'TLSv1.2',
    maxVersion: o.tls13 ? 'TLSv1.3' : 'TLSv1.2',
    ...(o.servername ? { servername: o.servername } : {}),
    // No certificate is exchanged; PSK possession authenticates the server.
    checkServerIdentity: () => undefined,
    pskCallback: () => ({ psk: key, identity }),
  };
}
