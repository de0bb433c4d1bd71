// Wiring of remote security configuration for the AE process (docs/remote-security-config.md): the
// AE's https transport rides a switchable agent, and once registered the AE watches its <node> with
// @m2msec/device-config (push by <subscription> with a slow poll beside it, or polling); a switched credential replaces the configured certificate and key files.
import { dirname, join } from 'node:path';
import { HttpRequestSender } from '@m2msec/binding-http';
import {
  createSwitchableAgent,
  DeviceSecurityConfig,
  frameworkOf,
  persistCredentialFiles,
  persistedTrustAnchors,
  type SwitchableAgent,
  watchConfiguration,
} from '@m2msec/device-config';
import type { AeFileConfig } from './config.js';
import type { AeOptions } from './options.js';

export interface AeDeviceConfig {
  agent: SwitchableAgent;
  /** Starts watching (push or poll) as this AE (its AE-ID, known once registered). */
  start(aeId: string, log: (o: Record<string, unknown>) => void): DeviceSecurityConfig;
}

/** Puts the switchable agent into `options` (https + certificate only; config.ts checked that). */
export function aeDeviceConfig(
  config: AeFileConfig,
  options: AeOptions,
  configPath: string,
): AeDeviceConfig | undefined {
  const t = options.transport;
  const dc = config.deviceConfig;
  const files = config.transport.kind === 'http' ? config.transport.certificate : undefined;
  if (!dc || t.kind !== 'http' || t.framework?.kind !== 'certificate' || !files) return undefined;
  const trustAnchorsFile = join(dirname(configPath), 'device-config-trust-anchors.pem');
  const own = t.framework.trustAnchors.map(String);
  const credential = {
    chain: String(t.framework.cert),
    key: String(t.framework.key),
    trustAnchors: [...own, ...persistedTrustAnchors(trustAnchorsFile).filter((p) => !own.includes(p))],
    servername: t.framework.servername,
  };
  const agent = createSwitchableAgent(frameworkOf(credential));
  t.httpsAgent = agent.agent;
  return {
    agent,
    start(aeId, log) {
      const device = new DeviceSecurityConfig({
        sender: new HttpRequestSender({ httpsAgent: agent.agent }),
        poa: t.url,
        // An AE sends its AE-ID-Stem (CSE-relative form) to its registrar (TS-0004 7.3.2.1).
        originator: aeId.startsWith(`${config.registrar.cseId}/`)
          ? aeId.slice(config.registrar.cseId.length + 1)
          : aeId,
        hostingCseId: dc.hostingCseId,
        node: dc.node,
        credential,
        agent,
        pollMs: (dc.pollSeconds ?? 10) * 1000,
        ...(dc.hosts ? { resolve: dc.hosts } : {}),
        persist: persistCredentialFiles({ cert: files.cert, key: files.key, trustAnchors: trustAnchorsFile }),
        log: (level, message, fields) => log({ event: 'device-config', level, message, ...fields }),
      });
      void watchConfiguration(device, {
        pollMs: (dc.pollSeconds ?? 10) * 1000,
        ...(dc.push
          ? {
              push: { host: dc.push.host ?? '127.0.0.1', port: dc.push.port },
              fallbackPollMs: (dc.push.fallbackPollSeconds ?? 3600) * 1000,
            }
          : {}),
        onError: (e) => log({ event: 'device-config', level: 'warn', message: 'first round failed', error: e.message }),
      }).then((watching) =>
        log({
          event: 'device-config',
          level: watching.reason ? 'warn' : 'info',
          message: `remote security configuration by ${watching.channel}`,
          ...watching,
        }),
      );
      return device;
    },
  };
}
