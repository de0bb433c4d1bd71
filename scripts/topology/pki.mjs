// The development PKI of the local topology (issue 19 item 5), made with the openssl command line like
// infra/docker/scripts/make-pki.sh: a P-256 CA constrained to m2msec.org, certificates with the TS-0003
// 10.1 SANs, a Kpsa for the PSK AE and the MEF / MAF admin tokens. Written once; a second run reuses it.
// Private keys, the Kpsa and the tokens are 0600 in a 0700 directory; none is ever printed.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const openssl = (cwd, args) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });

/** name, subject CN, extended key usage, subjectAltName: the identities the topology's nodes present. */
export const CERTIFICATES = [
  ['in-cse', 'id-in', 'serverAuth', 'DNS:id-in.m2msec.org'],
  ['mn-cse', 'id-mn', 'clientAuth', 'DNS:id-mn.id-in.m2msec.org'], // the MN-CSE registering to the IN-CSE
  ['mn-mcc', 'id-mn', 'serverAuth', 'DNS:id-mn.id-in.m2msec.org'], // the MN-CSE's Mcc listener
  ['in-client', 'id-in', 'clientAuth', 'DNS:id-in.m2msec.org'], // the IN-CSE forwarding down to it
  ['ae2', 'Cae2', 'clientAuth', 'URI:m2m://m2msec.org/id-in/Cae2'], // the AE over a certificate association
  ['admin', 'CAdmin', 'clientAuth', 'URI:m2m://m2msec.org/id-in/CAdmin'], // the operator (an administrator)
];

function issue(dir, [name, cn, eku, san]) {
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
  chmodSync(join(dir, `${name}.key`), 0o600);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`]);
  writeFileSync(
    join(dir, `${name}.ext`),
    `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${eku}\nsubjectAltName=${san}\n`,
  );
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '365',
    '-sha256',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ]);
  rmSync(join(dir, `${name}.csr`));
  rmSync(join(dir, `${name}.ext`));
}

function secret(dir, name, bytes) {
  writeFileSync(join(dir, name), `${randomBytes(bytes).toString('hex')}\n`, { mode: 0o600 });
}

/** Writes the PKI into `dir` unless it is complete there already; returns whether it was made now. */
export function makeDevPki(dir) {
  if (existsSync(join(dir, 'done'))) return false;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key']);
  chmodSync(join(dir, 'ca.key'), 0o600);
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-sha256',
    '-days',
    '3650',
    '-subj',
    '/CN=m2msec dev topology CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    '-addext',
    'nameConstraints=critical,permitted;URI:m2msec.org,permitted;DNS:m2msec.org',
    '-out',
    'ca.pem',
  ]);
  for (const c of CERTIFICATES) issue(dir, c);
  secret(dir, 'ae1.psk', 32); // the PSK AE's Kpsa (hex), also provisioned in the IN-CSE's SE
  secret(dir, 'mef-admin.token', 24);
  secret(dir, 'maf-admin.token', 24);
  writeFileSync(join(dir, 'done'), `${new Date().toISOString()}\n`);
  return true;
}
