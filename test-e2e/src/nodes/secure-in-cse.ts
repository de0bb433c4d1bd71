// The target of the attack regression suite (issue 20 item 2): the built IN-CSE as its own process in the
// secure profile (docs/administration.md), a certificate-SAEF HTTPS listener (TS-0003 8.2.2.2) where
// every AE holds a certificate naming its own AE-ID (URI SAN m2m://m2msec.org/id-in/C...), and a plain
// listener that serves only the CSEBase. Each attack file starts one and speaks to it as each AE.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { type Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, type InCseProcess, type Issued, startInCseProcess, TestCa } from '@m2msec/test-support';
import { until } from './process.js';

export const inCseMain = fileURLToPath(new URL('../../../apps/in-cse/dist/main.js', import.meta.url));

export interface Reply {
  status: number;
  rsc: number;
  headers: Record<string, string>;
  body: any;
}

export interface CallOptions {
  /** X-M2M-Origin; default: the AE's own ID. */
  from?: string;
  ty?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A keep-alive agent (sessions reused); default: a fresh TLS handshake per request. */
  agent?: Agent;
}

export interface SecureTarget {
  cse: InCseProcess;
  ca: TestCa;
  certPort: number;
  certs: Record<string, Issued>;
  /** A request over the certificate listener with `ae`'s certificate (mutual TLS). */
  as(ae: string, method: string, path: string, o?: CallOptions): Promise<Reply>;
  stop(): Promise<void>;
}

export interface SecureTargetOptions {
  /** AE-IDs (C...) that get a certificate and may register (one app rule each). */
  aes: string[];
  /** Extra top-level configuration sections (authorization, notifications ...). */
  config?: Record<string, unknown>;
  /** Extra environment of the IN-CSE process. */
  env?: Record<string, string>;
  /** Options for node itself, before the entry point (bench/soak.ts: its memory probe). */
  nodeArgs?: string[];
}

/** Starts the secure IN-CSE and registers each AE over its own association. */
export async function startSecureTarget(o: SecureTargetOptions): Promise<SecureTarget> {
  const ca = new TestCa(`attack-${randomBytes(2).toString('hex')}`);
  const server = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  chmodSync(server.keyPath, 0o600);
  const certs: Record<string, Issued> = {};
  for (const ae of [...o.aes, 'CAdmin']) certs[ae] = ca.issue({ san: `URI:m2m://m2msec.org/id-in/${ae}` });
  const certPort = await freePort();
  const kekDir = mkdtempSync(join(tmpdir(), 'm2msec-attack-kek-'));
  const security = {
    mca: 'required',
    keyFile: join(kekDir, 'keystore.key'),
    administrators: [{ name: 'operator', originator: 'CAdmin', certificateSan: 'uri:m2m://m2msec.org/id-in/CAdmin' }],
    derivedKey: false,
    bindings: [],
    certificate: {
      host: '127.0.0.1',
      port: certPort,
      cert: server.certPath,
      key: server.keyPath,
      trustAnchors: [ca.certPath],
      crls: [],
      tls13: true,
    },
  };
  const cse = await startInCseProcess({
    main: inCseMain,
    store: 'sqlite',
    ...(o.env ? { env: o.env } : {}),
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
    config: {
      profile: 'secure',
      cse: {
        cseId: '/id-in',
        cseBaseName: 'cse-in',
        spId: 'm2msec.org',
        adminOriginators: ['CAdmin'],
        allowCseWithoutAssociation: false,
      },
      registration: {
        appRules: o.aes.map((ae) => ({
          name: `rule-${ae}`,
          applicableCredIDs: [`33-/id-in/${ae}`],
          allowedAppIDs: ['Nattack'],
          allowedAEs: [ae],
        })),
      },
      ...o.config,
      security: { ...security, ...((o.config?.security as object) ?? {}) },
    },
  });
  const as: SecureTarget['as'] = (ae, method, path, opts = {}) =>
    new Promise((resolve, reject) => {
      const cert = certs[ae]!;
      const data = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      const req = request(
        {
          host: '127.0.0.1',
          port: certPort,
          method,
          path,
          ca: ca.cert,
          cert: cert.cert,
          key: cert.key,
          servername: 'id-in.m2msec.org',
          agent: opts.agent ?? false,
          headers: {
            'X-M2M-Origin': opts.from ?? ae,
            'X-M2M-RI': `atk-${randomBytes(4).toString('hex')}`,
            'X-M2M-RVI': '3',
            Accept: 'application/json',
            ...(data ? { 'Content-Type': `application/json${opts.ty ? `;ty=${opts.ty}` : ''}` } : {}),
            ...opts.headers,
          },
          timeout: 15_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
            let body: unknown;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              body = text;
            }
            resolve({ status: res.statusCode!, rsc: Number(res.headers['x-m2m-rsc']), headers, body });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(data);
    });
  // The certificate listener opens after the plain one.
  await until(
    'certificate listener',
    async () => (await as('CAdmin', 'GET', '/cse-in').catch(() => ({ rsc: 0 }))).rsc === 2000,
    30_000,
  );
  for (const ae of o.aes) {
    const r = await as(ae, 'POST', '/cse-in', {
      ty: 2,
      body: { 'm2m:ae': { rn: ae, api: 'Nattack', rr: true, srv: ['3'] } },
    });
    if (r.rsc !== 2001) throw new Error(`register ${ae}: ${r.rsc} ${JSON.stringify(r.body)}`);
  }
  return {
    cse,
    ca,
    certPort,
    certs,
    as,
    async stop() {
      await cse.stop();
    },
  };
}
