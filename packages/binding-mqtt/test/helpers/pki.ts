// Test PKI made with openssl (TS-0003 10.1 profile: P-256 keys): a CA, the broker's server
// certificate and client certificates whose subject CN is the identity mosquitto uses as username.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

export interface Pem {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface TestPki {
  caFile: string;
  ca: string;
  server: Pem;
  /** Issues a client certificate with subject CN = `cn` (signed by the CA, or by `rogue` for a foreign CA). */
  client(cn: string, opts?: { rogue?: boolean }): Pem;
}

function issue(dir: string, name: string, cn: string, ca: string, ext: string): Pem {
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const certFile = join(dir, `${name}.crt`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile], dir);
  openssl(['req', '-new', '-key', keyFile, '-subj', `/CN=${cn}`, '-out', csr], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      extFile,
      '-out',
      certFile,
    ],
    dir,
  );
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

function makeCa(dir: string, name: string): void {
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-subj',
      `/CN=${name}`,
      '-days',
      '2',
      '-sha256',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

export function createTestPki(dir: string): TestPki {
  makeCa(dir, 'ca');
  makeCa(dir, 'rogue-ca');
  const server = issue(
    dir,
    'server',
    'localhost',
    'ca',
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n',
  );
  let n = 0;
  return {
    caFile: join(dir, 'ca.crt'),
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    server,
    client(cn, opts = {}) {
      return issue(
        dir,
        `client${++n}`,
        cn,
        opts.rogue ? 'rogue-ca' : 'ca',
        'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n',
      );
    },
  };
}
