import type { KeyObject } from 'node:crypto';
// Server configuration. Two MEF processes given the same options (and, for a shared replay guard,
// the same store) answer any pass of a stateless run interchangeably.
import {
  KEY_TYPE_AES128,
  KEY_TYPE_HMAC_SHA256,
  type KeyTypeUri,
  MAC_DSKPP_PRF_AES_128,
  MAC_DSKPP_PRF_SHA256,
  type MacAlgorithmUri,
} from '../lib/uris.js';
import type { PskcKeyUsage } from '../pskc/key-container.js';
import type { SessionStore } from '../stateful/session-store.js';
import type { ReplayGuard } from '../stateless/replay-guard.js';
import type { StateKey } from '../stateless/state-token.js';
import type { ProvisionedKeyStore } from './key-store.js';
import type { ClientRegistry } from './registry.js';

export interface DskppServerOptions {
  /** URL_S: the URL clients POST to (input of the AD MAC, RFC 6063 section 3.4.1.2). */
  serverUrl: string;
  /** ServerID of the KeyPackage and Issuer of the PSKC key (e.g. the MEF-FQDN). */
  serverId: string;
  clients: ClientRegistry;
  keys: ProvisionedKeyStore;
  /**
   * 'stateful': sessions live in `sessions` (one process, or a shared store).
   * 'stateless': the SessionID is a sealed state token (see stateless/state-token.ts).
   */
  mode: 'stateful' | 'stateless';
  /** Stateless: sealing keys; the first one seals, all of them open (rotation). */
  stateKeys?: readonly StateKey[];
  /** Stateful: defaults to a MemorySessionStore. */
  sessions?: SessionStore;
  /** Stateless one-time use of pass 3 and 2-pass replay detection; defaults to a per-process MemoryReplayGuard. */
  replayGuard?: ReplayGuard;
  /** Time between KeyProvServerHello and the latest accepted KeyProvClientNonce. Default 120 s. */
  sessionLifetimeMs?: number;
  /** How long a 2-pass (ClientID, R_C) pair is remembered to refuse replays. Default 10 min. */
  twoPassReplayWindowMs?: number;
  /** Validity of provisioned keys (PSKC Policy StartDate/ExpiryDate). Default 365 days. */
  keyLifetimeMs?: number;
  keyUsages?: readonly PskcKeyUsage[];
  keyTypes?: readonly KeyTypeUri[];
  macAlgorithms?: readonly MacAlgorithmUri[];
  variants?: readonly ('four-pass' | 'two-pass')[];
  /** Length of R_S in bytes, 16..32. Default 16. */
  serverNonceLength?: number;
  /** PSKC KeyId of a new key; default: 16 random bytes, hex. */
  newKeyId?: () => string;
  now?: () => number;
  /**
   * Public-key 4-pass profile (docs/dskpp.md): the certificate sent in KeyProvServerHello and its
   * private key (RSA, at least 2048 bits), which decrypts R_C. Every instance behind a balancer holds
   * the same pair. Without it, only the pre-shared-key 4-pass is offered.
   */
  publicKeyTransport?: { certificate: string | Uint8Array; privateKey: KeyObject | string };
  /** Told about every refused request (status and reason, never key material). */
  onRefused?: (event: { status: string; message: string; messageType?: string }) => void;
}

export const SERVER_DEFAULTS = {
  sessionLifetimeMs: 120_000,
  twoPassReplayWindowMs: 600_000,
  keyLifetimeMs: 365 * 24 * 3600 * 1000,
  keyUsages: ['Integrity', 'Encrypt', 'Decrypt'] as readonly PskcKeyUsage[],
  keyTypes: [KEY_TYPE_AES128, KEY_TYPE_HMAC_SHA256] as readonly KeyTypeUri[],
  macAlgorithms: [MAC_DSKPP_PRF_AES_128, MAC_DSKPP_PRF_SHA256] as readonly MacAlgorithmUri[],
  variants: ['four-pass', 'two-pass'] as readonly ('four-pass' | 'two-pass')[],
  serverNonceLength: 16,
};
