// The console's configuration: its own listener, data directory, lock-out limits, and how it reaches
// the IN-CSE as an administrator principal (a client certificate bound in the IN-CSE's
// security.administrators, docs/administration.md). Read from M2MSEC_CONSOLE_CONFIG (JSON).
import { readFileSync } from 'node:fs';
import type { AdminApiConfig, MefConfig } from './mef-client.js';

export interface ConsoleConfig {
  http: { host: string; port: number; tls?: { cert: string; key: string } };
  /** The origin browsers use (scheme://host:port): the Origin check of every state-changing request. */
  publicOrigin: string;
  dataDir: string;
  lockout: { accountFailures: number; addressFailures: number; windowSeconds: number };
  session: { idleSeconds: number; absoluteSeconds: number };
  /** The MEF's admin API (optional): enrolments, certificates, bulk provisioning. */
  mef?: MefConfig;
  /** The MAF's admin API (optional): clients, registrations, key registrations, trust anchors. */
  maf?: AdminApiConfig;
  /** /metrics, /healthz, /readyz on their own listener (M2MSEC_OPS_PORT), loopback by default; off when absent. */
  opsListener?: { host?: string; port: number };
  inCse: {
    /** https URL of the IN-CSE's certificate listener, e.g. https://id-in.m2msec.org:8443 */
    url: string;
    /** Connect to this address instead of resolving the URL's host (the host stays the TLS servername). */
    connectAddress?: string;
    ca: string;
    cert: string;
    key: string;
    /** The administrator's originator at the IN-CSE (its security.administrators entry). */
    originator: string;
    cseBase: string;
    cseId: string;
    spId: string;
  };
}

const DEFAULTS = {
  lockout: { accountFailures: 5, addressFailures: 20, windowSeconds: 900 },
  session: { idleSeconds: 900, absoluteSeconds: 8 * 3600 },
};

export function loadConfig(path = process.env.M2MSEC_CONSOLE_CONFIG): ConsoleConfig {
  if (!path) throw new Error('M2MSEC_CONSOLE_CONFIG must name the console configuration file');
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<ConsoleConfig>;
  for (const k of ['http', 'publicOrigin', 'dataDir', 'inCse'] as const)
    if (raw[k] === undefined) throw new Error(`invalid configuration: ${k} is required`);
  const c = { ...DEFAULTS, ...raw } as ConsoleConfig;
  if (process.env.M2MSEC_OPS_PORT) {
    const port = Number(process.env.M2MSEC_OPS_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error('invalid configuration: M2MSEC_OPS_PORT must be a port number');
    c.opsListener = { ...c.opsListener, port };
  }
  if (!/^https:\/\//.test(c.inCse.url))
    throw new Error(
      'invalid configuration: inCse.url must be https (the console never uses a bare From over plain HTTP)',
    );
  if (!/^https?:\/\/[^/]+$/.test(c.publicOrigin))
    throw new Error('invalid configuration: publicOrigin must be scheme://host[:port]');
  return c;
}
