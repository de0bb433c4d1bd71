// Issue 15: the IN-CSE process with its CoAP/DTLS listener, reached by libcoap's coap-client-openssl
// over DTLS-PSK with a Kpsa (provisioned through the credentials CLI) and with a DerivedKey identity;
// the DTLS credential drives authentication and the impersonation check exactly as over HTTPS.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoapsRequestSender } from '@m2msec/binding-coap';
import { Operation } from '@m2msec/protocol';
import { DerivedKeyTrustAnchor } from '@m2msec/saef';
import { openSqliteStore, type Store } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './harness.js';
import {
  credentialsCli,
  opensslPsk,
  parseRaw,
  prepareSecureInCse,
  rawRequest,
  type SecureInCse,
} from './saef-setup.js';

const adminId = 'kpsa-admin@mef.m2msec.org';
const adminKey = 'coap-admin-key-0123456789abcdef-x'; // text: coap-client takes -k as text
const aeId = 'kpsa-sensor@mef.m2msec.org';
const aeKey = 'coap-sensor-key-0123456789abcdef-x';
const victimId = 'kpsa-victim@mef.m2msec.org';
const victimKey = randomBytes(32);
const kRsTa = randomBytes(32);
let s: SecureInCse;
let coapPort: number;
let taStore: Store;
let ta: DerivedKeyTrustAnchor;

/** coap-client with a binary key passed through the shell (POSIX printf octal escapes; test only). */
function coapClient(identity: string, key: Buffer, args: string[]): Promise<string> {
  const oct = [...key].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
  const script = `id="$1"; shift; exec coap-client-openssl -B 4 -u "$id" -k "$(printf '${oct}')" "$@"`;
  return new Promise((resolve) => {
    const p = spawn('sh', ['-c', script, 'sh', identity, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d.toString();
    });
    p.stderr.on('data', (d) => {
      out += d.toString();
    });
    p.on('close', () => resolve(out));
  });
}
const getCseBase = (from: string) => [
  '-O',
  `279,${from}`,
  '-O',
  '283,coap-1',
  '-O',
  '271,3',
  `coaps://127.0.0.1:${coapPort}/cse-in`,
];

beforeAll(async () => {
  coapPort = await freePort();
  const prepared = await prepareSecureInCse(
    {
      derivedKey: true,
      administrators: [
        { name: 'kpsa-admin', originator: 'CAdmin', credentialId: `12-${adminId}` },
        { name: 'dk-admin', originator: 'CAdmin', credentialId: '12-DK.ta1.Cdk1' },
        { name: 'victim-admin', originator: 'CAdmin', credentialId: `12-${victimId}` },
      ],
    },
    { coap: { host: '127.0.0.1', port: coapPort, responseOptions: 'coap-only' } },
  );
  const cli = (args: string[], input?: string) => credentialsCli(prepared.configPath, prepared.dataDir, args, input);
  cli(['add-psk', '--id', adminId, '--key-file', '-'], Buffer.from(adminKey).toString('hex'));
  cli(['add-psk', '--id', aeId, '--key-file', '-'], Buffer.from(aeKey).toString('hex'));
  cli(['add-psk', '--id', victimId, '--key-file', '-'], victimKey.toString('hex'));
  cli(['add-dk-ta', '--ta-id', 'ta1', '--key-file', '-'], kRsTa.toString('hex'));
  s = await prepared.start();
  taStore = await openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'm2msec-ta-')), 'ta.db') });
  ta = await DerivedKeyTrustAnchor.open({
    taId: 'ta1',
    key: kRsTa,
    state: taStore.collection('ta'),
    authorize: () => true,
  });
}, 60_000);

afterAll(async () => {
  await s?.cse.stop();
  await taStore?.close();
});

describe('IN-CSE over CoAP/DTLS-PSK with coap-client-openssl', () => {
  it('a Kpsa administrator retrieves the CSEBase', async () => {
    const out = await coapClient(adminId, Buffer.from(adminKey), getCseBase('CAdmin'));
    expect(out).toContain('"csi":"/id-in"');
  });

  it('a Kpsa not bound to CAdmin cannot act as it (impersonation refused, 4.03), nor can a wrong key connect', async () => {
    const out = await coapClient(aeId, Buffer.from(aeKey), [...getCseBase('CAdmin'), '-v', '6']);
    expect(out).toMatch(/4\.03/);
    expect(out).not.toContain('"csi"');
    const wrong = await coapClient(adminId, Buffer.from('not-the-admin-key-0123456789abcdef'), getCseBase('CAdmin'));
    expect(wrong).not.toContain('"csi"');
    expect(await coapClient(adminId, Buffer.from(adminKey), getCseBase('CAdmin'))).toContain('"csi":"/id-in"');
  });

  it('a DerivedKey identity from the trust anchor connects once; its replay is refused', async () => {
    let g = await ta.issue('Cdk1');
    while (g.key.includes(0) || g.key[g.key.length - 1] === 10) g = await ta.issue('Cdk1');
    expect(await coapClient(g.identity, g.key, getCseBase('CAdmin'))).toContain('"csi":"/id-in"');
    expect(await coapClient(g.identity, g.key, getCseBase('CAdmin'))).not.toContain('"csi"');
  });
});

describe('a Kpsa revoked while its DTLS session is open', () => {
  it('the next request on that session is refused (4107) and the session ends; no new handshake', async () => {
    const sender = new CoapsRequestSender({
      dtls: { psk: { identity: victimId, key: victimKey }, handshakeTimeoutMs: 1500 },
    });
    const poa = `coaps://127.0.0.1:${coapPort}`;
    const get = (rqi: string) =>
      sender.send(poa, { op: Operation.RETRIEVE, to: 'cse-in', rqi, fr: 'CAdmin', rvi: '3' });
    expect((await get('v-1')).rsc).toBe(2000);
    const revoke = await opensslPsk(
      s.pskPort,
      adminId,
      Buffer.from(adminKey).toString('hex'),
      rawRequest('DELETE', `/.well-known/m2msec/credentials/psk/${victimId}`, 'CAdmin'),
      ['-tls1_2'],
    );
    expect(parseRaw(revoke.stdout).status, revoke.stdout + revoke.stderr).toBe(200);
    const refused = await get('v-2'); // same DTLS session ('coap-only' responses: 4.03 and the reason)
    expect(refused.rsc).toBe(4103);
    expect(JSON.stringify(refused.pc)).toContain('revoked or has expired');
    await new Promise((r) => setTimeout(r, 100));
    await expect(get('v-3')).rejects.toMatchObject({ rsc: 5103 }); // session closed, handshake refused
    sender.close();
  });
});
