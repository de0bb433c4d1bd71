// Issue 15: the IN-CSE's CoAP/DTLS listener with the Certificate-Based SAEF, reached by libcoap's
// coap-client-openssl with a CA-issued AE certificate: registration as the AE-ID the SAN proves, the
// impersonation check on another From, a certificate from a foreign CA refused in the handshake.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { type Issued, TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './harness.js';
import { prepareSecureInCse, type SecureInCse } from './saef-setup.js';

let s: SecureInCse;
let ca: TestCa;
let ae: Issued;
let foreign: Issued;
let revoked: Issued;
let coapPort: number;

function coapClient(cert: Issued, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(
      'coap-client-openssl',
      ['-B', '4', '-c', cert.certPath, '-j', cert.keyPath, '-C', ca.certPath, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
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

const register = (from: string, rqi: string) => [
  '-m',
  'post',
  '-t',
  'json',
  '-e',
  '{"m2m:ae":{"rn":"abc","api":"Nsensor","rr":false,"srv":["3"]}}',
  '-O',
  '267,0x02',
  '-O',
  `279,${from}`,
  '-O',
  `283,${rqi}`,
  '-O',
  '271,3',
  '-v',
  '6',
  `coaps://127.0.0.1:${coapPort}/cse-in`,
];

beforeAll(async () => {
  ca = new TestCa('in-cse-coap');
  const other = new TestCa('other-coap');
  const server = ca.issue({ san: 'DNS:id-in.m2msec.org,IP:127.0.0.1', usage: 'server' });
  ae = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cabc' });
  foreign = other.issue({ san: 'URI:m2m://m2msec.org/id-in/Cabc' });
  // Same identity as `ae`, revoked in the CA's CRL that security.certificate.crls names (issue 12: every
  // certificate listener checks the CRL, the DTLS one too).
  revoked = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cabc' });
  ca.revoke(revoked.certPath);
  coapPort = await freePort();
  const prepared = await prepareSecureInCse(
    {},
    {
      registration: {
        appRules: [
          {
            name: 'ae-certificates',
            applicableCredIDs: ['33-/id-in/Cabc'],
            allowedAppIDs: ['*'],
            allowedAEs: ['Cabc'],
          },
        ],
      },
      coap: { host: '127.0.0.1', port: coapPort, responseOptions: 'coap-only', certificate: true },
    },
  );
  const config = JSON.parse(readFileSync(prepared.configPath, 'utf8'));
  config.security.certificate = {
    host: '127.0.0.1',
    port: prepared.certPort,
    cert: server.certPath,
    key: server.keyPath,
    trustAnchors: [ca.certPath],
    crls: [ca.crl().path],
    tls13: true,
  };
  writeFileSync(prepared.configPath, JSON.stringify(config));
  s = await prepared.start();
}, 60_000);

afterAll(async () => s?.cse.stop());

describe('IN-CSE over CoAP/DTLS with certificates (coap-client-openssl)', () => {
  it('an AE certificate registers as the AE-ID its SAN proves', async () => {
    const out = await coapClient(ae, register('Cabc', 'cert-1'));
    expect(out).toMatch(/2\.01/);
    expect(out).toContain('"aei":"Cabc"');
  });

  it('the same certificate cannot act as another originator (4.03)', async () => {
    const out = await coapClient(ae, [
      '-O',
      '279,Cother',
      '-O',
      '283,cert-2',
      '-O',
      '271,3',
      '-v',
      '6',
      `coaps://127.0.0.1:${coapPort}/cse-in`,
    ]);
    expect(out).toMatch(/4\.03/);
    expect(out).not.toContain('"csi"');
  });

  it('a certificate revoked in the CRL gets no DTLS session, while its unrevoked twin is served', async () => {
    const get = ['-O', '279,Cabc', '-O', '283,crl-1', '-O', '271,3', '-v', '6', `coaps://127.0.0.1:${coapPort}/cse-in`];
    // The twin gets an answer (whatever the CSEBase's policy says); the revoked one gets no session at all.
    const ok = await coapClient(ae, get);
    expect(ok, ok).toMatch(/\b[245]\.\d\d\b/);
    const out = await coapClient(revoked, get);
    expect(out).not.toMatch(/\b[245]\.\d\d\b/); // no CoAP response at all: the session was refused
  });

  it('a certificate from a foreign CA is refused in the handshake', async () => {
    const out = await coapClient(foreign, register('Cabc', 'cert-3'));
    expect(out).not.toMatch(/2\.01|4\.03/);
  });
});
