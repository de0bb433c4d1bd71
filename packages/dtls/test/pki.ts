// Test PKI made with the openssl CLI (an independent implementation): a P-256 CA, a server and a client
// certificate whose SAN carries a oneM2M identity (TS-0003 10.1 profile).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  files: Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'rogueCert' | 'rogueKey', string>;
}

function ossl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function leaf(dir: string, name: string, san: string, ca: string, caKey: string): void {
  ossl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
  ossl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n`);
  ossl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    ca,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
}

export function makePki(clientSan = 'URI:/m2msec-in/CAE-sensor1'): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-dtls-pki-'));
  ossl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key']);
  ossl(dir, ['req', '-new', '-x509', '-key', 'ca.key', '-subj', '/CN=test-ca', '-days', '2', '-out', 'ca.crt']);
  leaf(dir, 'server', 'DNS:localhost,IP:127.0.0.1', 'ca.crt', 'ca.key');
  leaf(dir, 'client', clientSan, 'ca.crt', 'ca.key');
  // A client certificate from another CA: must be refused.
  ossl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'rogueca.key']);
  ossl(dir, ['req', '-new', '-x509', '-key', 'rogueca.key', '-subj', '/CN=rogue', '-days', '2', '-out', 'rogueca.crt']);
  leaf(dir, 'rogue', clientSan, 'rogueca.crt', 'rogueca.key');
  const r = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    caPem: r('ca.crt'),
    serverCertPem: r('server.crt'),
    serverKeyPem: r('server.key'),
    clientCertPem: r('client.crt'),
    clientKeyPem: r('client.key'),
    files: {
      ca: join(dir, 'ca.crt'),
      serverCert: join(dir, 'server.crt'),
      serverKey: join(dir, 'server.key'),
      clientCert: join(dir, 'client.crt'),
      clientKey: join(dir, 'client.key'),
      rogueCert: join(dir, 'rogue.crt'),
      rogueKey: join(dir, 'rogue.key'),
    },
  };
}
