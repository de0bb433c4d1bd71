// An HTTPS agent whose SAEF credential (TS-0003 8.2.2) can be replaced while the node runs: the
// association switches without a restart. New connections handshake with the new credential; idle
// connections of the old one are closed at once, busy ones when their request ends (never reused).
// The TLS session cache is keyed by the credential (cert, key, ca are part of the agent's connection
// name), and it is emptied too, so no session of the old credential is resumed.
// A registrar may serve each SAEF on its own TLS listener (the IN-CSE has one for the PSK-based
// frameworks and one for certificates): `endpoints` names where new connections go per framework.
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
}

/** The registrar's listener for a SAEF, when it is not the one the request URL names. */
export type SaefEndpoints = Partial<Record<SaefClientFramework['kind'], { host: string; port: number }>>;

export function createSwitchableAgent(
  initial: SaefClientFramework,
  options: AgentOptions = {},
  endpoints: SaefEndpoints = {},
): SwitchableAgent {
  const base = { keepAlive: true, maxSockets: 4, ...options };
  // The agent's own options override each request's (node's _http_agent addRequest): host and port too.
  const optionsFor = (f: SaefClientFramework) => ({ ...base, ...saefConnectionOptions(f), ...endpoints[f.kind] });
  const agent = new Agent(optionsFor(initial));
  const inner = agent as unknown as AgentInternals;
  let current = initial;
  // Connections made with a credential no longer in use. By socket, not by connection name: a PSK's
  // identity is not part of the name, and a rollback brings back a name marked stale before.
  const stale = new WeakSet<Socket>();
  // Before the agent's own 'free' listener, which would hand the socket to a queued request: destroyed
  // first, the agent drops it and opens a new connection (with the new credential) for that request.
  agent.prependListener('free', (socket: Socket) => {
    if (stale.has(socket)) socket.destroy();
  });
  return {
    agent,
    get framework() {
      return current;
    },
    switchTo(framework) {
      for (const list of [...Object.values(inner.freeSockets), ...Object.values(inner.sockets)])
        for (const s of list) stale.add(s);
      // The agent merges `options` into every new connection's (node's _http_agent addRequest).
      inner.options = { ...optionsFor(framework), path: null };
      if (inner._sessionCache) inner._sessionCache = { map: {}, list: [] };
      for (const list of Object.values(inner.freeSockets)) for (const s of [...list]) s.destroy();
      current = framework;
    },
  };
}
