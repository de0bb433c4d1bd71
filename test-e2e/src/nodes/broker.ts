// mosquitto as its own node, configured by infra/mosquitto exactly as an operator would: a
// certificate listener (CSEs) and a TLS-PSK listener (devices), topic ACL by authenticated identity.
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Issued } from '@m2msec/test-support';
import {
  type MosquittoClientIds,
  type MosquittoCse,
  writeMosquittoConfig,
} from '../../../infra/mosquitto/write-config.js';
import type { Topology } from '../net/topology.js';
import { type NodeProcess, startProcess, until } from './process.js';

export interface BrokerNode {
  proc: NodeProcess;
  address: string;
  tlsPort: number;
  pskPort: number;
  /** Server name in its certificate. */
  servername: string;
  stop(): Promise<void>;
}

export async function startBroker(
  topo: Topology,
  o: {
    node: string;
    caFile: string;
    server: Issued;
    servername: string;
    psk: Array<{ identity: string; keyHex: string }>;
    cses: MosquittoCse[];
    clients: MosquittoClientIds[];
    tlsPort?: number;
    pskPort?: number;
  },
): Promise<BrokerNode> {
  const address = topo.addressOf(o.node);
  const tlsPort = o.tlsPort ?? 8883;
  const pskPort = o.pskPort ?? 8884;
  const files = writeMosquittoConfig({
    dir: join(mkdtempSync(join(tmpdir(), 'm2msec-e2e-broker-')), 'conf'),
    bindAddress: address,
    tls: { port: tlsPort, caFile: o.caFile, certFile: o.server.certPath, keyFile: o.server.keyPath },
    psk: { port: pskPort, hint: 'm2msec-e2e', keys: o.psk },
    cses: o.cses,
    clients: o.clients,
    runAsUser: process.getuid?.() === 0 ? 'root' : undefined,
  });
  const proc = startProcess(topo, o.node, 'mosquitto', '/usr/sbin/mosquitto', ['-c', files.confFile]);
  const open = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = connect(port, address);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
  await until('mosquitto listening', async () => {
    if (proc.exited) throw new Error(`mosquitto exited: ${proc.output()}`);
    return (await open(tlsPort)) && (await open(pskPort));
  });
  return { proc, address, tlsPort, pskPort, servername: o.servername, stop: () => proc.stop() };
}
