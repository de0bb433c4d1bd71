// An HTTPS agent whose SAEF credential (TS-0003 8.2.2) can be replaced while the node runs: the
// association switches without a restart. New connections handshake with the new credential; idle
// connections of the old one are closed at once, busy ones when their request ends (never reused).
// The TLS session cache is keyed by the credential (cert, key, ca are part of the agent's connection
// name), and it is emptied too, so no session of the old credential is resumed.
import { Agent, type AgentOptions } from 'node:https';
import type { Socket } from 'node:net';
import { type SaefClientFramework, saefConnectionOptions } from '@m2msec/saef';

export interface SwitchableAgent {
  readonly agent: Agent;
  /** The credential new connections use. */
  readonly framework: SaefClientFramework;
  /** Use `framework` from now on. */
  switchTo(framework: SaefClientFramework): void;
}

interface AgentInternals {
  options: Record<string, unknown>;
  freeSockets: Record<string, Socket[]>;
  sockets: Record<string, Socket[]>;
  _sessionCache?: { map: Record<string, unknown>; list: string[] };
  getName(options: Record<string, unknown>): string;
}

export function createSwitchableAgent(initial: SaefClientFramework, options: AgentOptions = {}): SwitchableAgent {
  const base = { keepAlive: true, maxSockets: 4, ...options };
  const agent = new Agent({ ...base, ...saefConnectionOptions(initial) });
  const inner = agent as unknown as AgentInternals;
  let current = initial;
  // Names (host:port:...:credential) of connections made with a credential no longer in use.
  const stale = new Set<string>();
  agent.on('free', (socket: Socket, opts: Record<string, unknown>) => {
    if (stale.has(inner.getName(opts))) socket.destroy();
  });
  return {
    agent,
    get framework() {
      return current;
    },
    switchTo(framework) {
      for (const name of [...Object.keys(inner.freeSockets), ...Object.keys(inner.sockets)]) stale.add(name);
      // The agent merges `options` into every new connection's (node's _http_agent addRequest).
      inner.options = { ...base, ...saefConnectionOptions(framework), path: null };
      if (inner._sessionCache) inner._sessionCache = { map: {}, list: [] };
      for (const list of Object.values(inner.freeSockets)) for (const s of [...list]) s.destroy();
      current = framework;
    },
  };
}
