// The reference IN-CSE (apps/in-cse, built) as its own node: PostgreSQL store, a certificate-SAEF
// HTTPS listener for Mcc and AEs, plain HTTP for the operator.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Topology } from '../net/topology.js';
import { type NodeProcess, startProcess, until } from './process.js';

export const inCseMain = fileURLToPath(new URL('../../../apps/in-cse/dist/main.js', import.meta.url));

export interface InCseNode {
  proc: NodeProcess;
  /** Plain HTTP (operator, CAdmin). */
  httpUrl: string;
  address: string;
  certPort: number;
  restart(): Promise<void>;
}

export interface InCseNodeOptions {
  node: string;
  httpPort: number;
  certPort: number;
  pgUrl: string;
  pgSchema: string;
  server: { certPath: string; keyPath: string };
  caFile: string;
  appRules: unknown[];
}

export async function startInCse(topo: Topology, o: InCseNodeOptions): Promise<InCseNode> {
  const address = topo.addressOf(o.node);
  const dataDir = mkdtempSync(join(tmpdir(), 'm2msec-e2e-in-'));
  const configPath = join(dataDir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      cse: {
        cseId: '/id-in',
        cseBaseName: 'cse-in',
        spId: 'm2msec.org',
        adminOriginators: ['CAdmin'],
        allowCseWithoutAssociation: false,
      },
      http: { host: address, port: o.httpPort, maxBodyBytes: 1048576, trustedProxies: [] },
      registration: { appRules: o.appRules },
      security: {
        mca: 'optional',
        derivedKey: false,
        bindings: [],
        certificate: {
          host: address,
          port: o.certPort,
          cert: o.server.certPath,
          key: o.server.keyPath,
          trustAnchors: [o.caFile],
          crls: [],
          tls13: true,
        },
      },
      log: { level: 'warn' },
    }),
  );
  const env = {
    M2MSEC_CONFIG: configPath,
    M2MSEC_DATA_DIR: dataDir,
    M2MSEC_STORE: 'postgres',
    M2MSEC_PG_URL: o.pgUrl,
    M2MSEC_PG_SCHEMA: o.pgSchema,
  };
  const httpUrl = `http://${address}:${o.httpPort}`;
  const node: InCseNode = {
    proc: undefined as unknown as NodeProcess,
    httpUrl,
    address,
    certPort: o.certPort,
    async restart() {
      node.proc = await launch();
    },
  };
  const launch = async () => {
    const proc = startProcess(topo, o.node, 'in-cse', process.execPath, [inCseMain], env);
    await until(
      'IN-CSE answering',
      async () => {
        if (proc.exited) throw new Error(`in-cse exited: ${proc.output()}`);
        const r = await fetch(`${httpUrl}/cse-in`, {
          headers: { 'X-M2M-Origin': 'CAdmin', 'X-M2M-RI': 'probe', 'X-M2M-RVI': '3' },
          signal: AbortSignal.timeout(2000),
        });
        return r.status === 200;
      },
      60_000,
    );
    return proc;
  };
  node.proc = await launch();
  return node;
}
