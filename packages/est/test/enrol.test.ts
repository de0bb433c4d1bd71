// EST server behaviour through the package's own client and raw HTTPS requests: channel binding
// on TLS 1.2 (full and resumed handshakes) and TLS 1.3, SE-held keys, pending approval,
// re-enrolment rules, and the error statuses.
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCsr,
  type EnrolmentDecision,
  type EnrolmentRequest,
  type EstTarget,
  fetchCaCertificates,
  fetchCsrAttributes,
  type GeneralName,
  OID,
  serverKeyGen,
  simpleEnroll,
  simpleReenroll,
} from '../src/index.js';
import {
  httpsRequest,
  makePki,
  ok,
  opensslCsr,
  type Pki,
  PSK_IDENTITY,
  PSK_KEY,
  type RunningServer,
  startCertServer,
  startPskServer,
  toPem,
  writeTemp,
} from './helpers.js';

const AE: GeneralName = { type: 'uri', value: 'https://m2m.example.com/Cae-device-0001' };
const OTHER_AE: GeneralName = { type: 'uri', value: 'https://m2m.example.com/Cae-someone-else' };

let pki: Pki;
let server: RunningServer;
let pskServer: RunningServer;
let decision: (r: EnrolmentRequest) => EnrolmentDecision;
const seen: EnrolmentRequest[] = [];

const defaultDecision = (r: EnrolmentRequest): EnrolmentDecision =>
  r.requestedSan.every((n) => n.value === AE.value || n.value.startsWith('https://m2m.example.com/Cae-renew'))
    ? 'allow'
    : 'deny';

beforeAll(async () => {
  pki = await makePki();
  decision = defaultDecision;
  const options = {
    authorize: (r: EnrolmentRequest) => {
      seen.push(r);
      return decision(r);
    },
    labels: ['fleet-a'],
    expectedSan: () => [AE],
  };
  server = await startCertServer(pki, options);
  pskServer = await startPskServer(pki, options);
});

afterAll(async () => {
  await server?.close();
  await pskServer?.close();
  await pki?.cleanup();
});

function deviceTarget(extra: https.RequestOptions = {}, agent?: https.Agent): EstTarget {
  return {
    baseUrl: server.url,
    tls: { ca: pki.tlsRootPem, cert: pki.deviceCertPem, key: pki.deviceKeyPem, ...extra },
    ...(agent ? { agent } : {}),
  };
}

async function p256(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
}

const verifyWithOpenssl = (der: Uint8Array, name: string) =>
  ok('openssl', [
    'verify',
    '-CAfile',
    writeTemp(pki.dir, 'ca.pem', pki.caPem),
    writeTemp(pki.dir, `${name}.pem`, toPem(der)),
  ]);

describe('client operations and channel binding', () => {
  it('fetches the CA certificates and the CSR attributes (with the expected SAN)', async () => {
    const cas = await fetchCaCertificates(deviceTarget());
    expect(cas.map((c) => Buffer.from(c).toString('hex'))).toEqual([Buffer.from(pki.ca.certificate).toString('hex')]);
    const attrs = await fetchCsrAttributes(deviceTarget());
    expect(attrs.oids).toEqual([OID.challengePassword, OID.ecdsaWithSHA256]);
    expect(attrs.attributes.map((a) => a.type)).toEqual([OID.ecPublicKey, OID.extensionRequest]);
    expect(Buffer.from(attrs.attributes[1]?.values[0] ?? []).toString('latin1')).toContain(AE.value);
  });

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`enrols with the channel binding in challengePassword over ${version} (required by default)`, async () => {
      const keys = await p256();
      let bindingType = '';
      const r = await simpleEnroll(deviceTarget({ minVersion: version, maxVersion: version }), async (binding) => {
        bindingType = binding?.type ?? '';
        return createCsr({ key: keys, subject: 'CN=ae1', subjectAltName: [AE], challengePassword: binding });
      });
      expect(bindingType).toBe(version === 'TLSv1.2' ? 'tls-unique' : 'tls-exporter');
      expect(r.status).toBe('issued');
      if (r.status === 'issued') expect(verifyWithOpenssl(r.certificate, `cb-${version}`)).toMatch(/: OK/);
    });
  }

  it('tls-unique of a resumed TLS 1.2 session (server Finished first) is accepted', async () => {
    const agent = new https.Agent({ keepAlive: false, maxCachedSessions: 10 });
    const target = deviceTarget({ maxVersion: 'TLSv1.2' }, agent);
    const keys = await p256();
    const reused: boolean[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await simpleEnroll(target, async (binding) => {
        return createCsr({ key: keys, subjectAltName: [AE], challengePassword: binding });
      });
      expect(r.status).toBe('issued');
    }
    // a third request whose socket we inspect
    await new Promise<void>((resolve, reject) => {
      const req = https.request(`${server.url}/cacerts`, { ...target.tls, agent }, (res) => {
        reused.push((res.socket as import('node:tls').TLSSocket).isSessionReused());
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    expect(reused).toEqual([true]);
    agent.destroy();
  });

  it('a CSR signed by a key in the secure environment is certified', async () => {
    const key = await pki.se.generateKey({ algorithm: 'EC-P256', usages: ['sign'], id: 'ae-key' });
    const r = await simpleEnroll(deviceTarget(), (binding) =>
      createCsr({ key: { se: pki.se, key }, subjectAltName: [AE], challengePassword: binding }),
    );
    expect(r.status).toBe('issued');
    if (r.status !== 'issued') return;
    const certKey = ok('openssl', [
      'x509',
      '-in',
      writeTemp(pki.dir, 'se.pem', toPem(r.certificate)),
      '-noout',
      '-pubkey',
    ]);
    expect(certKey).toBe(toPem(await pki.se.getPublicKey(key), 'PUBLIC KEY'));
    // empty subject: the SAN is then critical (RFC 5280 4.2.1.6)
    expect(
      ok('openssl', ['x509', '-in', writeTemp(pki.dir, 'se.pem', toPem(r.certificate)), '-noout', '-text']),
    ).toMatch(/Subject Alternative Name: critical/);
  });

  it('refuses a CSR without the channel binding (400) and one bound to another session (403)', async () => {
    const keys = await p256();
    const missing = simpleEnroll(deviceTarget(), () => createCsr({ key: keys, subjectAltName: [AE] }));
    await expect(missing).rejects.toMatchObject({ status: 400, reason: expect.stringContaining('channel binding') });
    const other = simpleEnroll(deviceTarget(), (_binding) =>
      createCsr({
        key: keys,
        subjectAltName: [AE],
        challengePassword: { type: 'tls-unique', value: new Uint8Array(12).fill(7) },
      }),
    );
    await expect(other).rejects.toMatchObject({ status: 403, reason: expect.stringContaining('does not match') });
  });

  it('serverkeygen through the client: the PKCS#8 key matches the certificate', async () => {
    const keys = await p256();
    const r = await serverKeyGen(deviceTarget(), (binding) =>
      createCsr({ key: keys, subjectAltName: [AE], challengePassword: binding }),
    );
    expect(r.status).toBe('issued');
    if (r.status !== 'issued') return;
    const fromKey = ok('openssl', [
      'pkey',
      '-inform',
      'DER',
      '-in',
      writeTemp(pki.dir, 'k.p8', r.privateKey),
      '-pubout',
    ]);
    const fromCert = ok('openssl', [
      'x509',
      '-in',
      writeTemp(pki.dir, 'k.pem', toPem(r.certificate)),
      '-noout',
      '-pubkey',
    ]);
    expect(fromKey).toBe(fromCert);
  });

  it('pending approval: 202 with Retry-After, then the certificate once approved', async () => {
    let approved = false;
    decision = () => (approved ? 'allow' : { outcome: 'pending', retryAfterSeconds: 2 });
    try {
      const keys = await p256();
      const make = (binding: Parameters<typeof createCsr>[0]['challengePassword']) =>
        createCsr({ key: keys, subjectAltName: [AE], challengePassword: binding });
      const first = await simpleEnroll(deviceTarget(), make);
      expect(first).toEqual({ status: 'pending', retryAfterSeconds: 2 });
      approved = true;
      const second = await simpleEnroll(deviceTarget(), make);
      expect(second.status).toBe('issued');
    } finally {
      decision = defaultDecision;
    }
  });

  it('the policy hook sees the operation, label, identity, SAN and subject', async () => {
    const keys = await p256();
    await simpleEnroll({ ...deviceTarget(), baseUrl: `${server.url}/fleet-a` }, (binding) =>
      createCsr({ key: keys, subject: 'CN=ae1, O=Example', subjectAltName: [AE], challengePassword: binding }),
    );
    const r = seen.at(-1);
    expect(r?.operation).toBe('simpleenroll');
    expect(r?.label).toBe('fleet-a');
    expect(r?.requestedSan).toEqual([AE]);
    expect(r?.subject).toBe('CN=ae1, O=Example');
    expect(r?.clientIdentity.kind).toBe('certificate');
    if (r?.clientIdentity.kind === 'certificate') {
      expect(r.clientIdentity.issuedByThisCa).toBe(false);
      expect(r.clientIdentity.subjectAltNameText).toBe('URI:urn:dev:ops:example-0001');
    }
  });
});

describe('re-enrolment (RFC 7030 4.2.2)', () => {
  async function enrolled(san: GeneralName, subject = 'CN=renew') {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keys = {
      privateKey: await webcrypto.subtle.importKey(
        'pkcs8',
        privateKey.export({ type: 'pkcs8', format: 'der' }),
        { name: 'ECDSA', namedCurve: 'P-256' },
        false,
        ['sign'],
      ),
      publicKey: await webcrypto.subtle.importKey(
        'spki',
        (await import('node:crypto')).createPublicKey(privateKey).export({ type: 'spki', format: 'der' }),
        { name: 'ECDSA', namedCurve: 'P-256' },
        true,
        ['verify'],
      ),
    };
    const r = await simpleEnroll(deviceTarget(), (b) =>
      createCsr({ key: keys, subject, subjectAltName: [san], challengePassword: b }),
    );
    if (r.status !== 'issued') throw new Error('not issued');
    return { certPem: toPem(r.certificate), keyPem };
  }
  const renewSan: GeneralName = { type: 'uri', value: 'https://m2m.example.com/Cae-renew-1' };

  it('renews with a new key when authenticated by the current certificate', async () => {
    const current = await enrolled(renewSan);
    const target: EstTarget = {
      baseUrl: server.url,
      tls: { ca: pki.tlsRootPem, cert: current.certPem, key: current.keyPem },
    };
    const keys = await p256();
    const r = await simpleReenroll(target, (b) =>
      createCsr({ key: keys, subject: 'CN=renew', subjectAltName: [renewSan], challengePassword: b }),
    );
    expect(r.status).toBe('issued');
    if (r.status === 'issued') expect(verifyWithOpenssl(r.certificate, 'renewed')).toMatch(/: OK/);
    const who = seen.at(-1);
    expect(who?.operation).toBe('simplereenroll');
    expect(who?.clientIdentity.kind === 'certificate' && who.clientIdentity.issuedByThisCa).toBe(true);
  });

  it('a changed subject or SAN is refused with 400', async () => {
    const current = await enrolled(renewSan);
    const target: EstTarget = {
      baseUrl: server.url,
      tls: { ca: pki.tlsRootPem, cert: current.certPem, key: current.keyPem },
    };
    const keys = await p256();
    const subj = simpleReenroll(target, (b) =>
      createCsr({ key: keys, subject: 'CN=someone-else', subjectAltName: [renewSan], challengePassword: b }),
    );
    await expect(subj).rejects.toMatchObject({ status: 400, reason: expect.stringContaining('subject') });
    const san = simpleReenroll(target, (b) =>
      createCsr({
        key: keys,
        subject: 'CN=renew',
        subjectAltName: [{ type: 'uri', value: 'https://m2m.example.com/Cae-renew-2' }],
        challengePassword: b,
      }),
    );
    await expect(san).rejects.toMatchObject({ status: 400, reason: expect.stringContaining('subjectAltName') });
  });

  it('requires a certificate issued by this CA: a third-party certificate or a PSK session gets 403', async () => {
    const keys = await p256();
    const viaDevice = simpleReenroll(deviceTarget(), (b) =>
      createCsr({ key: keys, subjectAltName: [AE], challengePassword: b }),
    );
    await expect(viaDevice).rejects.toMatchObject({ status: 403 });
    const pskTarget: EstTarget = {
      baseUrl: `https://127.0.0.1:${pskServer.port}/.well-known/est`,
      tls: {
        ciphers: 'PSK-AES128-CBC-SHA256',
        maxVersion: 'TLSv1.2',
        pskCallback: () => ({ psk: PSK_KEY, identity: PSK_IDENTITY }),
        checkServerIdentity: () => undefined,
      } as https.RequestOptions,
    };
    const viaPsk = simpleReenroll(pskTarget, (b) =>
      createCsr({ key: keys, subjectAltName: [AE], challengePassword: b }),
    );
    await expect(viaPsk).rejects.toMatchObject({
      status: 403,
      reason: expect.stringContaining('re-enrolment requires'),
    });
    // the same PSK session may enrol (with channel binding over TLS-PSK)
    const enrol = await simpleEnroll(pskTarget, (b) =>
      createCsr({ key: keys, subjectAltName: [AE], challengePassword: b }),
    );
    expect(enrol.status).toBe('issued');
  });
});

describe('error statuses', () => {
  const tls = () => ({ ca: pki.tlsRootPem, cert: pki.deviceCertPem, key: pki.deviceKeyPem });
  const post = (op: string, body: string | Buffer, headers: Record<string, string> = {}, extraTls = {}) =>
    httpsRequest(`${server.url}/${op}`, {
      method: 'POST',
      ...tls(),
      ...extraTls,
      headers: { 'content-type': 'application/pkcs10', ...headers },
      body,
    });
  const b64 = (der: Uint8Array) => Buffer.from(der).toString('base64');
  // channel binding cannot be put in an openssl-made CSR: a server that checks it only if present
  let lenient: RunningServer;
  beforeAll(async () => {
    lenient = await startCertServer(pki, { authorize: (r) => defaultDecision(r), channelBinding: 'if-present' });
  });
  afterAll(async () => lenient?.close());
  const postLenient = (body: string) =>
    httpsRequest(`${lenient.url}/simpleenroll`, {
      method: 'POST',
      ...tls(),
      headers: { 'content-type': 'application/pkcs10' },
      body,
    });

  const cases: [string, () => Promise<{ status: number; body: string }>, number, string][] = [
    ['malformed base64', () => post('simpleenroll', 'MIIB*not-base64*'), 400, 'base64'],
    [
      'base64 of garbage',
      () => post('simpleenroll', Buffer.from('hello world').toString('base64')),
      400,
      'CertificationRequest',
    ],
    [
      'a CSR with a bad signature',
      async () => {
        const der = Buffer.from(opensslCsr(pki.dir, 'badsig', '/CN=x', `URI:${AE.value}`).der);
        der[der.length - 5]! ^= 0x01; // inside s of the ECDSA signature
        return postLenient(b64(der));
      },
      400,
      'signature',
    ],
    [
      'a SAN this client may not have (policy)',
      () => postLenient(b64(opensslCsr(pki.dir, 'other', '/CN=x', `URI:${OTHER_AE.value}`).der)),
      403,
      'policy',
    ],
    [
      'a SAN outside the CA name constraints',
      () => postLenient(b64(opensslCsr(pki.dir, 'nc', '/CN=x', 'URI:https://evil.example.net/Cae1').der)),
      403,
      'nameConstraints',
    ],
    [
      'a wildcard SAN',
      () => postLenient(b64(opensslCsr(pki.dir, 'wc', '/CN=x', 'DNS:*.m2m.example.com').der)),
      400,
      'wildcard',
    ],
    [
      'a CSR without SAN',
      () => postLenient(b64(opensslCsr(pki.dir, 'nosan', '/CN=x', 'email:a@b.example').der)),
      400,
      'rfc822Name',
    ],
    [
      'a P-384 key',
      async () => {
        const key = writeTemp(
          pki.dir,
          'p384.key',
          ok('openssl', ['ecparam', '-name', 'secp384r1', '-genkey', '-noout']),
        );
        const der = Buffer.from(
          ok('openssl', [
            'req',
            '-new',
            '-key',
            key,
            '-subj',
            '/CN=x',
            '-addext',
            `subjectAltName=URI:${AE.value}`,
            '-outform',
            'DER',
          ]),
          'latin1',
        );
        return postLenient(b64(der));
      },
      400,
      'P-256',
    ],
    [
      'an RSA key',
      async () => {
        const key = writeTemp(
          pki.dir,
          'rsa.key',
          ok('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024']),
        );
        const der = Buffer.from(
          ok('openssl', [
            'req',
            '-new',
            '-key',
            key,
            '-subj',
            '/CN=x',
            '-addext',
            `subjectAltName=URI:${AE.value}`,
            '-outform',
            'DER',
          ]),
          'latin1',
        );
        return postLenient(b64(der));
      },
      400,
      'ecdsa-with-SHA256',
    ],
    [
      'HTTP Basic authentication',
      () => post('simpleenroll', 'AAAA', { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` }),
      403,
      'HTTP-based client authentication',
    ],
    [
      'no TLS client authentication',
      () => post('simpleenroll', 'AAAA', {}, { cert: undefined, key: undefined }),
      403,
      'TLS client authentication',
    ],
    ['an unknown operation', () => post('simpleenrol', 'AAAA'), 404, 'unknown EST operation'],
    ['an unknown label', () => post('fleet-b/simpleenroll', 'AAAA'), 404, 'unknown EST label'],
    ['a nested unknown path', () => post('a/b/simpleenroll', 'AAAA'), 404, 'unknown'],
    ['fullcmc with a PKCS#10 body', () => post('fullcmc', 'AAAA'), 415, 'pkcs7-mime'],
    ['GET on simpleenroll', () => httpsRequest(`${server.url}/simpleenroll`, { ...tls() }), 405, 'POST'],
    ['a wrong content type', () => post('simpleenroll', 'AAAA', { 'content-type': 'application/json' }), 415, 'pkcs10'],
    ['an oversized body', () => post('simpleenroll', 'A'.repeat(64 * 1024)), 413, 'larger'],
  ];
  for (const [name, send, status, reason] of cases) {
    it(`${name} -> ${status}`, async () => {
      const r = await send();
      expect(r.status, r.body).toBe(status);
      expect(r.body).toContain(reason);
      expect(r.body).not.toMatch(/\n\s+at /); // never a stack trace
      expect(r.body.length).toBeLessThan(300);
      // Issue 19 item 6: JSON with a stable code, never a bare text or HTML page.
      const answer = r as { headers?: Record<string, unknown>; body: string };
      expect(String(answer.headers?.['content-type'])).toMatch(/^application\/json/);
      expect(JSON.parse(r.body)).toMatchObject({
        code: expect.stringMatching(/^EST_[A-Z_]+$/),
        error: expect.any(String),
      });
    });
  }
});
