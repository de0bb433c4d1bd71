// Certificates for the public-key 4-pass tests, made by the openssl CLI: a CA, the MEF's RSA server
// certificate (SAN dNSName = the MEF-FQDN), and an attacker's CA and certificate for the same name.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tmp } from './helpers.js';

export interface Pki {
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  /** A different CA (the attacker's) and a certificate it issued for the same server name. */
  rogueCaPem: string;
  rogueCertPem: string;
  rogueKeyPem: string;
  /** Self-signed certificate for the server name. */
  selfSignedPem: string;
  selfSignedKeyPem: string;
  /** Issued by the real CA for another name. */
  otherNamePem: string;
  otherNameKeyPem: string;
}

function openssl(args: string[]): void {
  const r = run('openssl', args);
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

function issue(dir: string, name: string, san: string, ca: { cert: string; key: string } | undefined): void {
  const key = join(dir, `${name}.key`);
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
  if (!ca) {
    openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-subj',
      `/CN=${name}`,
      '-days',
      '30',
      '-out',
      join(dir, `${name}.pem`),
      '-addext',
      `subjectAltName=DNS:${san}`,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
    ]);
    return;
  }
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  openssl(['req', '-new', '-key', key, '-subj', `/CN=${san}`, '-out', csr]);
  writeFileSync(ext, `subjectAltName=DNS:${san}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=keyEncipherment\n`);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    '30',
    '-extfile',
    ext,
    '-out',
    join(dir, `${name}.pem`),
  ]);
}

function ca(dir: string, name: string): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
  openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    key,
    '-subj',
    `/CN=${name}`,
    '-days',
    '30',
    '-out',
    cert,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  return { cert, key };
}

export function makePki(serverName: string): Pki {
  const dir = tmp('pki');
  const real = ca(dir, 'mef-ca');
  const rogue = ca(dir, 'rogue-ca');
  issue(dir, 'server', serverName, real);
  issue(dir, 'rogue', serverName, rogue);
  issue(dir, 'self', serverName, undefined);
  issue(dir, 'other', 'other.m2msec.example', real);
  const f = (n: string) => readFileSync(join(dir, n), 'utf8');
  return {
    caPem: f('mef-ca.pem'),
    serverCertPem: f('server.pem'),
    serverKeyPem: f('server.key'),
    rogueCaPem: f('rogue-ca.pem'),
    rogueCertPem: f('rogue.pem'),
    rogueKeyPem: f('rogue.key'),
    selfSignedPem: f('self.pem'),
    selfSignedKeyPem: f('self.key'),
    otherNamePem: f('other.pem'),
    otherNameKeyPem: f('other.key'),
  };
}
