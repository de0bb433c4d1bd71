// The resolved server configuration every pass handler receives.
import { randomBytes } from 'node:crypto';
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
    },
    sessionLifetimeMs: o.sessionLifetimeMs ?? SERVER_DEFAULTS.sessionLifetimeMs,
    twoPassReplayWindowMs: o.twoPassReplayWindowMs ?? SERVER_DEFAULTS.twoPassReplayWindowMs,
    keyLifetimeMs: o.keyLifetimeMs ?? SERVER_DEFAULTS.keyLifetimeMs,
    keyUsages: o.keyUsages ?? SERVER_DEFAULTS.keyUsages,
    serverNonceLength,
    newKeyId: o.newKeyId ?? (() => randomBytes(16).toString('hex')),
    now,
  };
}
