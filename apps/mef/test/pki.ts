// An openssl-made PKI for the certificate listener: a TLS root with the MEF's server certificate,
// and a manufacturer root with a device (bootstrap) certificate. Independent of the MEF's EST CA.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function ok(cmd: string, args: string[], input?: string | Buffer): Buffer {
  const r = spawnSync(cmd, args, { input, timeout: 60_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.toString()}`);
  return r.stdout;
}

function root(dir: string, name: string, subject: string) {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  ok('openssl', [
    'req',
    '-x509',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-subj',
    subject,
    '-days',
    '30',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { key, cert };
}

function leaf(dir: string, name: string, issuer: { key: string; cert: string }, san: string, eku: string) {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  ok('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    `/CN=${name}`,
  ]);
  writeFileSync(ext, `subjectAltName=${san}\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${eku}\n`);
  ok('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    issuer.cert,
    '-CAkey',
    issuer.key,
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '30',
    '-extfile',
    ext,
  ]);
  return { key, cert };
}

export interface MefPki {
  tlsRoot: string;
  serverCert: string;
  serverKey: string;
  mfrRoot: string;
  deviceCert: string;
  deviceKey: string;
  deviceSan: string;
}

export function makePki(dir: string, mefFqdn: string): MefPki {
  const tlsRoot = root(dir, 'tls-root', '/CN=TLS root');
  const server = leaf(dir, 'mef-server', tlsRoot, `DNS:${mefFqdn},IP:127.0.0.1`, 'serverAuth');
  const mfr = root(dir, 'mfr-root', '/CN=Manufacturer root');
  const deviceSan = 'urn:dev:ops:m2msec-0001';
  const device = leaf(dir, 'device', mfr, `URI:${deviceSan}`, 'clientAuth');
  return {
    tlsRoot: tlsRoot.cert,
    serverCert: server.cert,
    serverKey: server.key,
    mfrRoot: mfr.cert,
    deviceCert: device.cert,
    deviceKey: device.key,
    deviceSan,
  };
}
