// Test fixtures: a software SE holding the EST CA key, independent openssl-made PKI for the
// TLS server certificate and for "third-party" (manufacturer) client certificates, and EST
// servers on ephemeral ports (mutual TLS and TLS-PSK).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpEdge } from '@m2msec/binding-http';
import { openSoftwareSecureEnvironment, type SecureEnvironment } from '@m2msec/secure-environment';
import { TestCa } from '@m2msec/test-support';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  createEstServer,
  type EnrolmentPolicy,
  type EstServerOptions,
  estPskCallback,
  estRequestListener,
  estRoutes,
  pskIdentityOf,
} from '../src/index.js';

export function run(
  cmd: string,
  args: string[],
  input?: string | Uint8Array,
): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(cmd, args, { input, timeout: 60_000 });
  if (r.error) throw r.error;
  return { stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('utf8'), status: r.status ?? -1 };
}

/** Asynchronous run: for clients of the in-process server (spawnSync would block its event loop). */
export function runAsync(
  cmd: string,
  args: string[],
  input?: string | Uint8Array,
): Promise<{ stdout: Buffer; stderr: string; status: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString(), status: code ?? -1 });
    });
    child.stdin.end(input ?? '');
  });
}

export function ok(cmd: string, args: string[], input?: string | Uint8Array): string {
  const r = run(cmd, args, input);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export const toPem = (der: Uint8Array, label = 'CERTIFICATE'): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

export interface Pki {
  dir: string;
  se: SecureEnvironment;
  ca: CertificateAuthority;
  caPem: string;
  /** TLS server trust anchor (openssl-made, independent of the EST CA). */
  tlsRootPem: string;
  serverKeyPem: string;
  serverCertPem: string;
  /** Manufacturer CA and a device certificate it issued (third-party EST client certificate). */
  mfrRootPem: string;
  deviceKeyPem: string;
  deviceCertPem: string;
  cleanup(): Promise<void>;
}

export async function makePki(): Promise<Pki> {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-est-'));
  const se = await openSoftwareSecureEnvironment({
    path: join(dir, 'keystore.json'),
    passphrase: 'test only',
    scrypt: { N: 1024, r: 8, p: 1 },
  });
  const ca = await createCertificateAuthority({
    se,
    keyId: 'mef-ca',
    subject: 'CN=MEF CA, O=m2msec test',
    nameConstraints: { permitted: { uri: ['m2m.example.com'], dns: ['m2m.example.com'] } },
  });
  // openssl-made roots (an implementation independent of ours) for the TLS server and the devices.
  const tlsRoot = new TestCa('tls-root', { root: dir, nameConstraints: '' });
  const server = tlsRoot.issue({ san: 'DNS:localhost,IP:127.0.0.1', cn: 'localhost', usage: 'server' });
  const mfr = new TestCa('mfr-root', { root: dir, nameConstraints: '' });
  const device = mfr.issue({ san: 'URI:urn:dev:ops:example-0001', cn: 'device-0001', usage: 'client' });
  const caPem = toPem(ca.certificate);
  writeFileSync(join(dir, 'ca.pem'), caPem);
  return {
    dir,
    se,
    ca,
    caPem,
    tlsRootPem: tlsRoot.cert,
    serverKeyPem: server.key,
    serverCertPem: server.cert,
    mfrRootPem: mfr.cert,
    deviceKeyPem: device.key,
    deviceCertPem: device.cert,
    async cleanup() {
      await se.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const PSK_IDENTITY = 'KpmID-0001@mef.m2m.example.com';
export const PSK_KEY = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');

export interface RunningServer {
  url: string;
  port: number;
  server: https.Server;
  close(): Promise<void>;
}

function listen(server: https.Server): Promise<RunningServer> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `https://localhost:${port}/.well-known/est`,
        port,
        server,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

/** The EST server behind the shared HTTP edge, as the MEF serves it. */
export function appFor(options: EstServerOptions) {
  return httpEdge(estRoutes(createEstServer(options)), { prefix: '/.well-known/est', pskIdentityOf });
}

/** Mutual-TLS EST server: client certificates from the manufacturer root or the EST CA. */
export function startCertServer(
  pki: Pki,
  options: Partial<EstServerOptions> & { authorize: EnrolmentPolicy },
  tls: https.ServerOptions = {},
) {
  const server = https.createServer(
    {
      key: pki.serverKeyPem,
      cert: pki.serverCertPem,
      ca: [pki.mfrRootPem, pki.caPem],
      requestCert: true,
      rejectUnauthorized: false,
      ...tls,
    },
    appFor({ ca: pki.ca, ...options }),
  );
  return listen(server);
}

/**
 * Certificate-less TLS (TLS-PSK, RFC 7030 3.3.3) EST server, TLS 1.2 PSK suites. Served through the
 * plain request listener (the certificate server above goes through the shared HTTP edge), so the
 * interop tests cover both ways in.
 */
export function startPskServer(pki: Pki, options: Partial<EstServerOptions> & { authorize: EnrolmentPolicy }) {
  const server = https.createServer(
    {
      pskCallback: estPskCallback((id) => (id === PSK_IDENTITY ? PSK_KEY : null)),
      ciphers: 'PSK-AES128-CBC-SHA256:ECDHE-PSK-AES128-CBC-SHA256:PSK-AES128-GCM-SHA256',
      maxVersion: 'TLSv1.2',
      minVersion: 'TLSv1.2',
    } as https.ServerOptions,
    estRequestListener(createEstServer({ ca: pki.ca, ...options })),
  );
  return listen(server);
}

/** `openssl req`: a P-256 CSR with the given subject and SAN (and optional challengePassword). */
export function opensslCsr(
  dir: string,
  name: string,
  subject: string,
  san: string,
  challengePassword?: string,
): { der: Buffer; keyPath: string } {
  const keyPath = join(dir, `${name}.key`);
  const cfg = join(dir, `${name}.cnf`);
  writeFileSync(
    cfg,
    `[req]\ndistinguished_name=dn\nreq_extensions=ext\nattributes=attrs\nprompt=no\n[dn]\n${subject ? subject.split('/').filter(Boolean).join('\n') : 'CN=unused'}\n[ext]\nsubjectAltName=${san}\n[attrs]\n${challengePassword ? `challengePassword=${challengePassword}\n` : ''}`,
  );
  ok('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyPath]);
  const der = ok('openssl', ['req', '-new', '-key', keyPath, '-config', cfg, '-outform', 'DER']);
  return { der: Buffer.from(der, 'latin1'), keyPath };
}

/** curl against the EST server; returns status, headers text and raw body. */
export async function curl(args: string[], input?: string): Promise<{ status: number; headers: string; body: Buffer }> {
  const r = await runAsync('curl', ['-sS', '--max-time', '60', '-D', '-', ...args], input);
  if (r.status !== 0) throw new Error(`curl failed: ${r.stderr}`);
  const out = r.stdout;
  const sep = out.indexOf('\r\n\r\n');
  const headers = out.subarray(0, sep).toString('latin1');
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(headers)?.[1]);
  return { status, headers, body: out.subarray(sep + 4) };
}

/** The certificates of a base64 certs-only body, as PEM text printed by `openssl pkcs7 -print_certs`. */
export function opensslPrintCerts(base64Body: Buffer | string): string {
  const der = Buffer.from(base64Body.toString().replace(/\s+/g, ''), 'base64');
  return ok('openssl', ['pkcs7', '-inform', 'DER', '-print_certs'], der);
}

export function writeTemp(dir: string, name: string, data: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

/** A plain node https request (for malformed and unusual requests the EST client would not send). */
export function httpsRequest(
  url: string,
  opts: https.RequestOptions & { body?: string | Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const { body, ...rest } = opts;
    const req = https.request(url, { agent: false, timeout: 60_000, ...rest }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}
