// Test PKI made with the openssl CLI (an independent implementation): P-256 CAs with nameConstraints,
// leaf certificates with chosen SANs and validity, revocation and CRLs through `openssl ca`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function openssl(args: string[], input?: string): string {
  const r = spawnSync('openssl', args, { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const stamp = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

export interface Issued {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export class TestCa {
  readonly dir: string;
  readonly certPath: string;
  readonly keyPath: string;
  private n = 0;

  constructor(
    readonly name: string,
    opts: { root?: string; nameConstraints?: string; curve?: string } = {},
  ) {
    this.dir = mkdtempSync(join(opts.root ?? tmpdir(), `m2msec-ca-${name}-`));
    mkdirSync(join(this.dir, 'newcerts'));
    writeFileSync(join(this.dir, 'index.txt'), '');
    writeFileSync(join(this.dir, 'serial'), '1000\n');
    writeFileSync(join(this.dir, 'crlnumber'), '1000\n');
    writeFileSync(
      join(this.dir, 'ca.cnf'),
      [
        '[ ca ]',
        'default_ca = CA_default',
        '[ CA_default ]',
        `dir = ${this.dir}`,
        'database = $dir/index.txt',
        'new_certs_dir = $dir/newcerts',
        'serial = $dir/serial',
        'crlnumber = $dir/crlnumber',
        'certificate = $dir/ca.pem',
        'private_key = $dir/ca.key',
        'default_md = sha256',
        'default_crl_days = 30',
        'policy = policy_any',
        'unique_subject = no',
        'copy_extensions = none',
        '[ policy_any ]',
        'commonName = supplied',
        '',
      ].join('\n'),
    );
    this.keyPath = join(this.dir, 'ca.key');
    this.certPath = join(this.dir, 'ca.pem');
    openssl(['ecparam', '-name', opts.curve ?? 'prime256v1', '-genkey', '-noout', '-out', this.keyPath]);
    const nc = opts.nameConstraints ?? 'permitted;URI:m2msec.org,permitted;DNS:m2msec.org';
    openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      this.keyPath,
      '-sha256',
      '-days',
      '3650',
      '-subj',
      `/CN=${name} CA`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
      ...(nc ? ['-addext', `nameConstraints=critical,${nc}`] : []),
      '-out',
      this.certPath,
    ]);
  }

  get cert(): string {
    return readFileSync(this.certPath, 'utf8');
  }

  /** Issues a leaf: san like 'URI:m2m://m2msec.org/id-in/Cabc' or 'DNS:id-in.m2msec.org'. */
  issue(o: {
    san: string;
    cn?: string;
    start?: Date;
    end?: Date;
    /** 'both': a node that is server and client with one certificate (e.g. a broker cluster's routes). */
    usage?: 'client' | 'server' | 'both';
    keyUsage?: string;
    curve?: string;
  }): Issued {
    const id = `leaf${++this.n}`;
    const keyPath = join(this.dir, `${id}.key`);
    const csr = join(this.dir, `${id}.csr`);
    const certPath = join(this.dir, `${id}.pem`);
    const ext = join(this.dir, `${id}.ext`);
    openssl(['ecparam', '-name', o.curve ?? 'prime256v1', '-genkey', '-noout', '-out', keyPath]);
    openssl(['req', '-new', '-key', keyPath, '-subj', `/CN=${o.cn ?? id}`, '-out', csr]);
    writeFileSync(
      ext,
      [
        '[ v3 ]',
        'basicConstraints = critical,CA:FALSE',
        `keyUsage = critical,${o.keyUsage ?? 'digitalSignature'}`,
        `extendedKeyUsage = ${o.usage === 'both' ? 'serverAuth,clientAuth' : o.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
        `subjectAltName = ${o.san}`,
        '',
      ].join('\n'),
    );
    const start = o.start ?? new Date(Date.now() - 3600_000);
    const end = o.end ?? new Date(Date.now() + 30 * 86400_000);
    openssl([
      'ca',
      '-batch',
      '-notext',
      '-config',
      join(this.dir, 'ca.cnf'),
      '-in',
      csr,
      '-out',
      certPath,
      '-startdate',
      stamp(start),
      '-enddate',
      stamp(end),
      '-extfile',
      ext,
      '-extensions',
      'v3',
    ]);
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, keyPath };
  }

  revoke(certPath: string): void {
    openssl(['ca', '-config', join(this.dir, 'ca.cnf'), '-revoke', certPath]);
  }

  /** A fresh CRL (PEM) and its path. */
  crl(): { pem: string; path: string } {
    const path = join(this.dir, 'crl.pem');
    openssl(['ca', '-config', join(this.dir, 'ca.cnf'), '-gencrl', '-out', path]);
    return { pem: readFileSync(path, 'utf8'), path };
  }
}
