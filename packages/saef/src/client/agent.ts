// An https.Agent per framework: one TLS session (one security association) is reused by the
// requests it carries, as TS-0003 intends (rq_authn typically valid for the life of the session).
import { Agent, type AgentOptions } from 'node:https';
import { type SaefClientFramework, saefConnectionOptions } from './connection-options.js';

export function createSaefAgent(framework: SaefClientFramework, options: AgentOptions = {}): Agent {
  return new Agent({ keepAlive: true, maxSockets: 4, ...options, ...saefConnectionOptions(framework) });
}
