// The resolved server configuration every pass handler receives.
import { createPrivateKey, type KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import { publicKeyBytes } from '../keys/authentication-data.js';
import { MemorySessionStore, type SessionStore } from '../stateful/session-store.js';
import { MemoryReplayGuard, type ReplayGuard } from '../stateless/replay-guard.js';
import { checkStateKey, STATELESS_MAX_NONCE, type StateKey } from '../stateless/state-token.js';
import type { ProvisionedKeyStore } from './key-store.js';
import type { NegotiationPolicy } from './negotiate.js';
import { type DskppServerOptions, SERVER_DEFAULTS } from './options.js';
import type { ClientRegistry } from './registry.js';

export interface ServerContext {
  serverUrl: string;
  serverId: string;
  mode: 'stateful' | 'stateless';
  clients: ClientRegistry;
  keys: ProvisionedKeyStore;
  sessions: SessionStore;
  stateKeys: readonly StateKey[];
  replayGuard: ReplayGuard;
  policy: NegotiationPolicy;
  sessionLifetimeMs: number;
  twoPassReplayWindowMs: number;
  keyLifetimeMs: number;
  keyUsages: DskppServerOptions['keyUsages'] & {};
  serverNonceLength: number;
  newKeyId: () => string;
  now: () => number;
  /** Public-key 4-pass: the certificate (DER) sent to clients and the key that decrypts R_C. */
  publicKeyTransport?: { certificateDer: Uint8Array; privateKey: KeyObject; publicKeyBytes: Uint8Array };
}

function resolvePublicKeyTransport(p: DskppServerOptions['publicKeyTransport']): ServerContext['publicKeyTransport'] {
  if (!p) return undefined;
  const cert = new X509Certificate(typeof p.certificate === 'string' ? p.certificate : Buffer.from(p.certificate));
  const privateKey = typeof p.privateKey === 'string' ? createPrivateKey(p.privateKey) : p.privateKey;
  if (privateKey.asymmetricKeyType !== 'rsa' || (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new TypeError('publicKeyTransport needs an RSA key of at least 2048 bits (RSA-OAEP)');
  }
  if (!cert.checkPrivateKey(privateKey)) throw new TypeError('publicKeyTransport key does not match the certificate');
  // K_SERVER as it enters K_AC (RFC 6063 3.4.1.2): the modulus of the certificate's key.
  return { certificateDer: new Uint8Array(cert.raw), privateKey, publicKeyBytes: publicKeyBytes(cert.publicKey) };
}

export function resolveServerContext(o: DskppServerOptions): ServerContext {
  if (!o.serverUrl || !o.serverId) throw new TypeError('serverUrl and serverId are required');
  const now = o.now ?? Date.now;
  const serverNonceLength = o.serverNonceLength ?? SERVER_DEFAULTS.serverNonceLength;
  if (!Number.isInteger(serverNonceLength) || serverNonceLength < 16 || serverNonceLength > STATELESS_MAX_NONCE) {
    throw new TypeError(`serverNonceLength must be 16..${STATELESS_MAX_NONCE}`);
  }
  const stateKeys = o.stateKeys ?? [];
  if (o.mode === 'stateless') {
    if (stateKeys.length === 0) throw new TypeError('stateless mode needs at least one state key');
    stateKeys.forEach(checkStateKey);
  } else if (o.mode !== 'stateful') {
    throw new TypeError(`mode must be 'stateful' or 'stateless'`);
  }
  return {
    serverUrl: o.serverUrl,
    serverId: o.serverId,
    mode: o.mode,
    clients: o.clients,
    keys: o.keys,
    sessions: o.sessions ?? new MemorySessionStore(now),
    stateKeys,
    replayGuard: o.replayGuard ?? new MemoryReplayGuard(now),
    policy: {
      keyTypes: o.keyTypes ?? SERVER_DEFAULTS.keyTypes,
      macAlgorithms: o.macAlgorithms ?? SERVER_DEFAULTS.macAlgorithms,
      variants: o.variants ?? SERVER_DEFAULTS.variants,
      publicKey: o.publicKeyTransport !== undefined,
    },
    sessionLifetimeMs: o.sessionLifetimeMs ?? SERVER_DEFAULTS.sessionLifetimeMs,
    twoPassReplayWindowMs: o.twoPassReplayWindowMs ?? SERVER_DEFAULTS.twoPassReplayWindowMs,
    keyLifetimeMs: o.keyLifetimeMs ?? SERVER_DEFAULTS.keyLifetimeMs,
    keyUsages: o.keyUsages ?? SERVER_DEFAULTS.keyUsages,
    serverNonceLength,
    newKeyId: o.newKeyId ?? (() => randomBytes(16).toString('hex')),
    now,
    ...(o.publicKeyTransport ? { publicKeyTransport: resolvePublicKeyTransport(o.publicKeyTransport) } : {}),
  };
}
