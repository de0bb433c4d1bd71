// A test PKI made with the openssl CLI: a P-256 CA constrained to the SP domain and leaf certificates
// with the SANs of TS-0003 10.1 (DNS <csi>.<IN domain> for CSEs, m2m:// URIs for AEs).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

export interface Issued {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export class TestCa {
  readonly dir: string;
  readonly certPath: string;
  private n = 0;
  constructor(name: string, root = tmpdir()) {
    this.dir = mkdtempSync(join(root, `m2msec-ca-${name}-`));
    mkdirSync(join(this.dir, 'newcerts'));
    const key = join(this.dir, 'ca.key');
    this.certPath = join(this.dir, 'ca.pem');
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-sha256',
      '-days',
      '3650',
      '-subj',
      `/CN=${name} CA`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
      '-addext',
      'nameConstraints=critical,permitted;URI:m2msec.org,permitted;DNS:m2msec.org',
      '-out',
      this.certPath,
    ]);
  }

  get cert(): string {
    return readFileSync(this.certPath, 'utf8');
  }

  /** A leaf: san like 'DNS:id-mn.id-in.m2msec.org' or 'URI:m2m://m2msec.org/id-in/Cae1'; cn becomes the MQTT username. */
  issue(o: { san: string; usage: 'client' | 'server' | 'both'; cn?: string }): Issued {
    const id = `leaf${++this.n}`;
    const keyPath = join(this.dir, `${id}.key`);
    const csr = join(this.dir, `${id}.csr`);
    const certPath = join(this.dir, `${id}.pem`);
    const ext = join(this.dir, `${id}.ext`);
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyPath]);
    openssl(['req', '-new', '-key', keyPath, '-subj', `/CN=${o.cn ?? id}`, '-out', csr]);
    const eku = { client: 'clientAuth', server: 'serverAuth', both: 'serverAuth,clientAuth' }[o.usage];
    writeFileSync(
      ext,
      `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${eku}\nsubjectAltName=${o.san}\n`,
    );
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      this.certPath,
      '-CAkey',
      join(this.dir, 'ca.key'),
      '-CAcreateserial',
      '-days',
      '30',
      '-sha256',
      '-extfile',
      ext,
      '-out',
      certPath,
    ]);
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, keyPath };
  }
}
