// The reference IN-CSE (apps/in-cse, built) as its own node in the secure profile (docs/administration.md):
// PostgreSQL store, a certificate-SAEF HTTPS listener for Mcc, AEs and the operator (an administrator
// certificate, SAN m2m://m2msec.org/id-in/CAdmin), a plain listener that only names the CSEBase.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Issued } from '@m2msec/test-support';
import type { Topology } from '../net/topology.js';
import { type NodeProcess, startProcess, until } from './process.js';

export const inCseCredentials = fileURLToPath(new URL('../../../apps/in-cse/dist/credentials.js', import.meta.url));
export const inCseMain = fileURLToPath(new URL('../../../apps/in-cse/dist/main.js', import.meta.url));

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface InCseNode {
  proc: NodeProcess;
  /** Plain HTTP: RETRIEVE of the CSEBase only (secure profile). */
  httpUrl: string;
  /** A oneM2M request as the administrator CAdmin over the certificate listener. */
  admin(method: string, path: string, o?: { ty?: number; body?: unknown }): Promise<{ rsc: number; body: any }>;
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
  /** The operator's client certificate, SAN URI:m2m://m2msec.org/id-in/CAdmin. */
  admin: { certPath: string; keyPath: string };
  appRules: unknown[];
  /** A TLS-PSK listener (Provisioned Symmetric Key SAEF) on this port as well. */
  pskPort?: number;
  /** A CoAP/DTLS listener (config coap, TS-0008) on this UDP port as well. */
  coapPort?: number;
  /** Client credentials for forwarding down to registered CSEs (config forwarding.remoteCses). */
  forwarding?: Array<{ cseId: string; cert: Issued; caFile: string }>;
  /** Credentials CLI commands (apps/in-cse dist/credentials.js) run before the first start. */
  credentials?: Array<{ args: string[]; input?: string }>;
}

export async function startInCse(topo: Topology, o: InCseNodeOptions): Promise<InCseNode> {
  const address = topo.addressOf(o.node);
  const dataDir = mkdtempSync(join(tmpdir(), 'm2msec-e2e-in-'));
  const configPath = join(dataDir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      profile: 'secure',
      cse: {
        cseId: '/id-in',
        cseBaseName: 'cse-in',
        spId: 'm2msec.org',
        adminOriginators: ['CAdmin'],
        allowCseWithoutAssociation: false,
      },
      http: { host: address, port: o.httpPort, maxBodyBytes: 1048576, trustedProxies: [] },
      registration: { appRules: o.appRules },
      ...(o.coapPort ? { coap: { host: address, port: o.coapPort } } : {}),
      forwarding: {
        remoteCses: (o.forwarding ?? []).map((f) => ({
          cseId: f.cseId,
          certificate: { cert: f.cert.certPath, key: f.cert.keyPath, trustAnchors: [f.caFile] },
        })),
      },
      security: {
        mca: 'required',
        administrators: [
          { name: 'operator', originator: 'CAdmin', certificateSan: 'uri:m2m://m2msec.org/id-in/CAdmin' },
        ],
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
        ...(o.pskPort ? { psk: { host: address, port: o.pskPort, tls13: true } } : {}),
      },
      log: { level: 'warn' },
    }),
  );
  const env = {
    M2MSEC_CONFIG: configPath,
    M2MSEC_DATA_DIR: dataDir,
    // The secure profile refuses a key-encryption key inside the data directory it protects.
    M2MSEC_KEK_FILE: join(mkdtempSync(join(tmpdir(), 'm2msec-e2e-kek-')), 'keystore.key'),
    M2MSEC_STORE: 'postgres',
    M2MSEC_PG_URL: o.pgUrl,
    M2MSEC_PG_SCHEMA: o.pgSchema,
  };
  for (const c of o.credentials ?? []) {
    // The CLI opens the same data directory and store, so it runs while the IN-CSE is stopped.
    const r = spawnSync(process.execPath, [inCseCredentials, ...c.args], {
      encoding: 'utf8',
      input: c.input,
      env: { ...process.env, ...env },
    });
    if (r.status !== 0) throw new Error(`credentials ${c.args[0]} failed: ${r.stderr}`);
  }
  const httpUrl = `http://${address}:${o.httpPort}`;
  const tls = {
    ca: readFileSync(o.caFile),
    cert: readFileSync(o.admin.certPath),
    key: readFileSync(o.admin.keyPath),
    servername: 'id-in.m2msec.org',
  };
  const admin: InCseNode['admin'] = (method, path, opts = {}) =>
    new Promise((resolve, reject) => {
      const data = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      const req = request(
        {
          ...tls,
          host: address,
          port: o.certPort,
          method,
          path,
          headers: {
            'X-M2M-Origin': 'CAdmin',
            'X-M2M-RI': `adm-${Math.random().toString(36).slice(2)}`,
            'X-M2M-RVI': '3',
            Accept: 'application/json',
            ...(data ? { 'Content-Type': `application/json${opts.ty ? `;ty=${opts.ty}` : ''}` } : {}),
          },
          timeout: 15_000,
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () =>
            resolve({ rsc: Number(res.headers['x-m2m-rsc']), body: text ? JSON.parse(text) : undefined }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error('admin request timed out')));
      req.on('error', reject);
      req.end(data);
    });
  const node: InCseNode = {
    proc: undefined as unknown as NodeProcess,
    httpUrl,
    admin,
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
          headers: { 'X-M2M-Origin': 'Cprobe', 'X-M2M-RI': 'probe', 'X-M2M-RVI': '3' },
          signal: AbortSignal.timeout(2000),
        });
        // The TLS listeners open after the plain one: wait for them too.
        return (
          r.status === 200 &&
          (await accepts(address, o.certPort)) &&
          (!o.pskPort || (await accepts(address, o.pskPort)))
        );
      },
      60_000,
    );
    return proc;
  };
  node.proc = await launch();
  return node;
}
