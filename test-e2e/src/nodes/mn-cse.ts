// The reference MN-CSE (apps/mn-cse, built) as its own node: certificate-SAEF association to the
// IN-CSE, MQTT binding for devices (certificate towards the broker, CN id-mn), SQLite store.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Topology } from '../net/topology.js';
import { type NodeProcess, startProcess, until } from './process.js';

export const mnCseMain = fileURLToPath(new URL('../../../apps/mn-cse/dist/main.js', import.meta.url));

export interface MnCseNode {
  proc: NodeProcess;
  httpUrl: string;
  status(): Promise<{ registration: { state: string; attempts: number; lastError?: string } }>;
  stop(): Promise<void>;
}

export async function startMnCse(
  topo: Topology,
  o: {
    node: string;
    httpPort: number;
    /** host:port of the IN-CSE certificate listener as this node reaches it. */
    registrarEndpoint: string;
    client: { certPath: string; keyPath: string };
    mqttClient: { certPath: string; keyPath: string };
    caFile: string;
    brokerUrl: string;
    brokerServername: string;
    appRules: unknown[];
    requestTimeoutMs: number;
    /** Mutual-TLS Mcc listener for requests the IN-CSE forwards down; advertised as the poa. */
    mcc?: { port: number; server: { certPath: string; keyPath: string }; poa: string };
  },
): Promise<MnCseNode> {
  const address = topo.addressOf(o.node);
  const dataDir = mkdtempSync(join(tmpdir(), 'm2msec-e2e-mn-'));
  const configPath = join(dataDir, 'config.json');
  const httpUrl = `http://${address}:${o.httpPort}`;
  writeFileSync(
    configPath,
    JSON.stringify({
      // Secure profile (docs/administration.md): its plain listener serves only the status page here,
      // AEs come over MQTT inside the broker's association, the IN-CSE forwards down over Mcc.
      profile: 'secure',
      cse: { cseId: '/id-mn', cseBaseName: 'cse-mn', spId: 'm2msec.org', adminOriginators: ['CAdmin'] },
      http: { host: address, port: o.httpPort, maxBodyBytes: 1048576 },
      poa: o.mcc ? [o.mcc.poa] : [httpUrl],
      ...(o.mcc
        ? {
            mcc: {
              host: address,
              port: o.mcc.port,
              cert: o.mcc.server.certPath,
              key: o.mcc.server.keyPath,
              trustAnchors: [o.caFile],
              crls: [],
            },
          }
        : {}),
      registrar: {
        cseId: '/id-in',
        cseBaseName: 'cse-in',
        url: `https://${o.registrarEndpoint}`,
        retryMs: 500,
        refreshMs: 5_000,
        certificate: {
          cert: o.client.certPath,
          key: o.client.keyPath,
          trustAnchors: [o.caFile],
          servername: 'id-in.m2msec.org',
        },
      },
      mqtt: {
        url: o.brokerUrl,
        ca: o.caFile,
        cert: o.mqttClient.certPath,
        key: o.mqttClient.keyPath,
        servername: o.brokerServername,
      },
      registration: { appRules: o.appRules },
      requestTimeoutMs: o.requestTimeoutMs,
      log: { level: 'info' },
    }),
  );
  const proc = startProcess(topo, o.node, 'mn-cse', process.execPath, [mnCseMain], {
    M2MSEC_CONFIG: configPath,
    M2MSEC_DATA_DIR: dataDir,
  });
  const status = async () => {
    const r = await fetch(`${httpUrl}/.well-known/m2msec/status`, { signal: AbortSignal.timeout(2000) });
    return (await r.json()) as Awaited<ReturnType<MnCseNode['status']>>;
  };
  await until(
    'MN-CSE registered to the IN-CSE',
    async () => {
      if (proc.exited) throw new Error(`mn-cse exited: ${proc.output()}`);
      return (await status()).registration.state === 'registered';
    },
    60_000,
  );
  return { proc, httpUrl, status, stop: () => proc.stop() };
}
