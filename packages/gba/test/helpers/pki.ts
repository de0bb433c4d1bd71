// A throwaway PKI made with the openssl CLI: a NAF CA, the BSF's HTTPS certificate and NAF client certificates.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './tools.js';

export interface Pem {
  readonly key: Buffer;
  readonly cert: Buffer;
}

export function makeCa(dir: string, name: string): Pem & { name: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  run('openssl', [
    'req',
    '-x509',
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
    `/CN=${name}`,
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  return { name, key: readFileSync(key), cert: readFileSync(cert) };
}

export function issue(dir: string, ca: Pem & { name: string }, name: string, san: string): Pem {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  const caKey = join(dir, `${ca.name}.key`);
  const caCert = join(dir, `${ca.name}.crt`);
  writeFileSync(ext, `subjectAltName=${san}\n`);
  run('openssl', [
    'req',
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
  run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    caCert,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return { key: readFileSync(key), cert: readFileSync(cert) };
}
