// The public-key stateless DSKPP 4-pass across two m2msec-mef processes behind a round-robin TCP proxy
// (TLS passes through; each DSKPP pass is a new connection, so pass 1 reaches one instance and pass 3
// the other). The instances share configuration (state key file, certificate and key) and one
// PostgreSQL database, which holds the pass-3 replay guard: a replayed pass 3 is refused by both.
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { DskppClient, decodeMessage } from '@m2msec/dskpp';
import { mefHandshakeOptions } from '@m2msec/rspf';
import { createKeyFile, openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MEF_FQDN, type MefProcess, run, startMefProcess, tmp } from './helpers.js';

vi.setConfig({ testTimeout: 120_000 });

const pgUrl = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `mef_dskpp_${randomBytes(4).toString('hex')}`;
const dir = tmp('m2msec-mef-dskpp-');
const device = { manufacturer: 'iana.32473', serialNo: 'SN-LB-1', model: 'sensor' };
const client = { clientId: 'C-LB-1', ac: randomBytes(20), sharedKey: randomBytes(16) };
const kpm = randomBytes(32).toString('hex');

async function openssl(args: string[]): Promise<void> {
  const r = await run('openssl', args);
  if (r.code !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
}

/** Round robin per TCP connection: connection n goes to backend n mod 2. */
function tcpRoundRobin(
  ports: number[],
): Promise<{ server: Server; port: number; log: number[]; close(): Promise<void> }> {
  let n = 0;
  const log: number[] = [];
  // Open pairs, so close() ends kept-alive connections too (server.close alone waits for them).
  const open = new Set<() => void>();
  const server = createServer((down) => {
    const i = n++ % ports.length;
    log.push(i);
    const up = createConnection({ host: '127.0.0.1', port: ports[i] as number });
    down.pipe(up).pipe(down);
    const close = () => {
      down.destroy();
      up.destroy();
      open.delete(close);
    };
    open.add(close);
    up.on('error', close);
    down.on('error', close);
    up.on('close', close);
    down.on('close', close);
  });
  const closeAll = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const c of [...open]) c();
    });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : 0, log, close: closeAll });
    }),
  );
}

let a: MefProcess;
let b: MefProcess;
let proxy: Awaited<ReturnType<typeof tcpRoundRobin>>;

beforeAll(async () => {
  const f = (n: string) => join(dir, n);
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f('ca.key')]);
  await openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    f('ca.key'),
    '-subj',
    '/CN=DSKPP CA',
    '-days',
    '2',
    '-out',
    f('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f('dskpp.key')]);
  chmodSync(f('dskpp.key'), 0o600);
  await openssl(['req', '-new', '-key', f('dskpp.key'), '-subj', `/CN=${MEF_FQDN}`, '-out', f('dskpp.csr')]);
  writeFileSync(f('ext'), `subjectAltName=DNS:${MEF_FQDN}\nbasicConstraints=critical,CA:FALSE\n`);
  await openssl([
    'x509',
    '-req',
    '-in',
    f('dskpp.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('ext'),
    '-out',
    f('dskpp.pem'),
  ]);
  writeFileSync(f('kek.hex'), randomBytes(32).toString('hex'), { mode: 0o600 });
  writeFileSync(f('state.hex'), randomBytes(32).toString('hex'), { mode: 0o600 });
  writeFileSync(
    f('mef.json'),
    JSON.stringify({
      dskpp: {
        clients: [
          {
            clientId: client.clientId,
            authenticationCodeHex: client.ac.toString('hex'),
            sharedKeyName: 'Kshared-LB-1',
            sharedKeyHex: client.sharedKey.toString('hex'),
            device,
          },
        ],
        stateKeyFile: f('state.hex'),
        publicKey: { cert: f('dskpp.pem'), key: f('dskpp.key') },
      },
    }),
    { mode: 0o600 }, // it holds DSKPP keys: the MEF refuses a config with secrets others can read
  );
  const env = {
    M2MSEC_MEF_CONFIG: f('mef.json'),
    M2MSEC_STORE: 'postgres',
    M2MSEC_PG_URL: pgUrl,
    M2MSEC_PG_SCHEMA: schema,
    M2MSEC_MEF_KEK_FILE: f('kek.hex'),
  };
  a = await startMefProcess(env);
  // The device's MEF Handshake credential, registered before B starts so both have it in memory.
  const put = await a.admin('PUT', '/admin/enrolees/psk/kpm-dskpp-lb', {
    kpm,
    enroleeId: 'Cdskpplb',
    targets: [],
    enrolmentExpirySeconds: 3600,
  });
  expect(put.status).toBeLessThan(300);
  b = await startMefProcess(env);
  const portOf = (u: string | undefined) => Number(new URL(u as string).port);
  proxy = await tcpRoundRobin([portOf(a.urls.psk), portOf(b.urls.psk)]);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await a?.stop();
  await b?.stop();
  await run('psql', [pgUrl, '-q', '-c', `DROP SCHEMA IF EXISTS ${schema} CASCADE`]);
});

describe('public-key stateless DSKPP on two m2msec-mef processes behind a round-robin proxy', () => {
  it('pass 1 on one instance, pass 3 on the other; a replayed pass 3 is refused by both', async () => {
    const tls = await mefHandshakeOptions(
      { kind: 'psk', kpmId: 'kpm-dskpp-lb', kpm: Buffer.from(kpm, 'hex') },
      MEF_FQDN,
    );
    const url = `https://127.0.0.1:${proxy.port}/dskpp`;
    // agent: false: a new TCP + TLS connection per pass (connection reuse is never needed)
    const post = (xml: string) =>
      new Promise<string>((resolve, reject) => {
        const req = request(url, {
          ...tls,
          agent: false,
          method: 'POST',
          headers: { 'content-type': 'application/dskpp+xml' },
        });
        req.on('error', reject);
        req.on('response', (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
        });
        req.end(xml);
      });
    const seDir = tmp('m2msec-dskpp-se-');
    createKeyFile(join(seDir, 'kek'));
    const se = await openSoftwareSecureEnvironment({ path: join(seDir, 'ks.json'), keyFile: join(seDir, 'kek') });
    await se.generateKey({ algorithm: 'EC-P256', usages: ['sign'], id: 'attest' });
    let nonce = '';
    const dskpp = new DskppClient({
      transport: (xml) => {
        if (decodeMessage(xml).type === 'KeyProvClientNonce') nonce = xml;
        return post(xml);
      },
      serverUrl: `https://${MEF_FQDN}/dskpp`,
      clientId: client.clientId,
      authenticationCode: client.ac,
      device,
      serverTrust: { anchors: [readFileSync(join(dir, 'ca.pem'), 'utf8')], serverName: MEF_FQDN },
      secureEnvironment: se,
      attestationKey: 'attest',
    });
    const result = await dskpp.fourPassPublicKey();
    expect(result.keyContainer.encrypted?.keyName).toBe('DSKPP-R_C');
    expect(proxy.log).toEqual([0, 1]); // hello -> A, pass 3 -> B
    expect(await se.getKey(result.keyId)).toBeDefined();

    for (const instance of [0, 1]) {
      const answer = decodeMessage(await post(nonce));
      expect(proxy.log.at(-1)).toBe(instance);
      expect(answer.type === 'KeyProvServerFinished' && answer.status).toBe('Abort');
    }
    await se.close();
  });
});
