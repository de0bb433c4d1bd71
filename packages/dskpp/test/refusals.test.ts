// Every refusal path ends in the RFC 6063 section 3.3 status it maps to.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { openSqliteStore } from '@m2msec/store';
import { afterAll, describe, expect, it } from 'vitest';
import { fourPassFinish, fourPassHello, fourPassNego } from '../src/four-pass/client.js';
import {
  authenticationDataMac,
  collectionReplayGuard,
  DSKPP_STATUS_CODES,
  type DskppClientCredentials,
  DskppError,
  DskppServer,
  type DskppServerOptions,
  type DskppStatus,
  decodeMessage,
  KEY_TYPE_AES128,
  MemoryClientRegistry,
  MemoryProvisionedKeyStore,
} from '../src/index.js';
import { twoPassFinish, twoPassHello } from '../src/two-pass/client.js';
import { clientFor, clientRecord, DEVICE, openSe, startServer, tmp } from './helpers.js';

const URL_S = 'https://mef.example/dskpp';

function setup(mode: 'stateful' | 'stateless', extra: Partial<DskppServerOptions> = {}) {
  const record = clientRecord();
  const clock = { t: Date.parse('2030-01-01T00:00:00Z') };
  const stateKeys = [{ id: 7, key: new Uint8Array(randomBytes(32)) }];
  const keys = new MemoryProvisionedKeyStore();
  const statuses: string[] = [];
  const options: DskppServerOptions = {
    serverUrl: URL_S,
    serverId: 'mef.example',
    clients: new MemoryClientRegistry([record, clientRecord({ clientId: 'C-OTHER', device: { serialNo: 'other' } })]),
    keys,
    mode,
    stateKeys,
    now: () => clock.t,
    onRefused: (e) => statuses.push(e.status),
    ...extra,
  };
  const server = new DskppServer(options);
  const creds: DskppClientCredentials = {
    serverUrl: URL_S,
    clientId: record.clientId,
    authenticationCode: record.authenticationCode,
    sharedKey: record.sharedKey,
    device: DEVICE,
  };
  return { server, options, creds, record, clock, keys, statuses };
}

/** Every status a response in this file carried; checked against the full list at the end. */
const observed = new Set<string>();

async function status(server: DskppServer, xml: string): Promise<DskppStatus> {
  const out = await server.handle(xml);
  observed.add(out.status);
  const m = decodeMessage(out.body);
  if (m.type !== 'KeyProvServerHello' && m.type !== 'KeyProvServerFinished') throw new Error('not a response');
  expect(m.status).toBe(out.status);
  return m.status;
}

/** Runs passes 1-2 and builds pass 3. */
async function toPass3(s: ReturnType<typeof setup>) {
  const clientHello = fourPassHello(s.creds);
  const hello = await s.server.handle(clientHello);
  observed.add(hello.status);
  expect(hello.status).toBe('Continue');
  return fourPassNego(s.creds, hello.body, 'shared-key', clientHello);
}

const flipBase64 = (xml: string, element: string) =>
  xml.replace(
    new RegExp(`(<dskpp:${element}[^>]*>)(.)`),
    (_m, open: string, c: string) => `${open}${c === 'A' ? 'B' : 'A'}`,
  );

describe.each(['stateful', 'stateless'] as const)('4-pass refusals (%s)', (mode) => {
  it('a completed run; the same pass 3 again is refused with Abort (replay)', async () => {
    const s = setup(mode);
    const { negoXml, pending } = await toPass3(s);
    const fin = await s.server.handle(negoXml);
    observed.add(fin.status);
    expect(fin.status).toBe('Success');
    expect(fourPassFinish(s.creds, pending, fin.body).kToken.length).toBe(16);
    expect(await status(s.server, negoXml)).toBe('Abort');
    expect(s.keys.keys.size).toBe(1);
  });

  it('tampered AD MAC: AuthenticationDataInvalid, and the session stays usable', async () => {
    const s = setup(mode);
    const { negoXml } = await toPass3(s);
    expect(await status(s.server, flipBase64(negoXml, 'Mac'))).toBe('AuthenticationDataInvalid');
    expect((await s.server.handle(negoXml)).status).toBe('Success');
  });

  it('an AD MAC made with fewer than 100,000 PBKDF2 iterations is refused (RFC 6063 3.4.1.2)', async () => {
    const s = setup(mode);
    const { negoXml, pending } = await toPass3(s);
    // A genuine AD, only cheaper to guess offline: the client chose 1,000 iterations.
    const weak = authenticationDataMac(pending.macAlgorithm, {
      password: s.creds.authenticationCode,
      clientId: s.creds.clientId,
      serverUrl: URL_S,
      clientNonce: pending.clientNonce,
      serverNonce: pending.serverNonce,
      k: s.record.sharedKey.key,
      iterationCount: 1000,
    });
    const forged = negoXml
      .replace('<dskpp:IterationCount>100000<', '<dskpp:IterationCount>1000<')
      .replace(/(<dskpp:Mac[^>]*>)[^<]*/, `$1${Buffer.from(weak).toString('base64')}`);
    expect(forged).not.toBe(negoXml);
    expect(await status(s.server, forged)).toBe('AuthenticationDataInvalid');
    // Nor a count above the cap (work the server would do before knowing the client), nor none at all.
    expect(
      await status(s.server, negoXml.replace('<dskpp:IterationCount>100000<', '<dskpp:IterationCount>50000000<')),
    ).toBe('AuthenticationDataInvalid');
    expect(await status(s.server, negoXml.replace(/<dskpp:IterationCount>100000<\/dskpp:IterationCount>/, ''))).toBe(
      'AuthenticationDataInvalid',
    );
    expect(s.keys.keys.size).toBe(0);
  });

  it('tampered EncryptedNonce (R_C): InitializationFailed', async () => {
    const s = setup(mode);
    const { negoXml } = await toPass3(s);
    expect(await status(s.server, flipBase64(negoXml, 'EncryptedNonce'))).toBe('InitializationFailed');
    expect(s.keys.keys.size).toBe(0);
  });

  it('tampered or unknown SessionID: UnknownRequest', async () => {
    const s = setup(mode);
    const { negoXml } = await toPass3(s);
    const tampered = negoXml.replace(/SessionID="(.)/, (_m, c: string) => `SessionID="${c === 'A' ? 'B' : 'A'}`);
    expect(await status(s.server, tampered)).toBe('UnknownRequest');
  });

  it('pass 3 after the session lifetime: ProvisioningPeriodExpired', async () => {
    const s = setup(mode);
    const { negoXml } = await toPass3(s);
    s.clock.t += 121_000;
    expect(await status(s.server, negoXml)).toBe('ProvisioningPeriodExpired');
  });

  it('AD missing in pass 3: AuthenticationDataMissing; AD of another registered client: AccessDenied', async () => {
    const s = setup(mode);
    const { negoXml } = await toPass3(s);
    expect(
      await status(s.server, negoXml.replace(/<dskpp:AuthenticationData>.*<\/dskpp:AuthenticationData>/, '')),
    ).toBe('AuthenticationDataMissing');
    // Another client with valid credentials of its own cannot finish this client's session.
    const other = s.options.clients;
    const otherRecord = await other.byClientId('C-OTHER');
    const hijack = fourPassNego(
      {
        ...s.creds,
        clientId: 'C-OTHER',
        authenticationCode: otherRecord!.authenticationCode,
        sharedKey: otherRecord!.sharedKey,
      },
      (await s.server.handle(fourPassHello(s.creds))).body.replace(
        s.record.sharedKey.name,
        otherRecord!.sharedKey.name,
      ),
      'shared-key',
      fourPassHello(s.creds),
    );
    expect(await status(s.server, hijack.negoXml)).toBe('AccessDenied');
  });

  it('tampered key confirmation MAC: the client refuses and stores nothing', async () => {
    const s = setup(mode);
    const { se } = await openSe();
    const client = clientFor({ url: URL_S, record: s.record }, se, {
      transport: async (xml) => {
        const out = (await s.server.handle(xml)).body;
        return out.includes('KeyProvServerFinished') ? flipBase64(out, 'Mac') : out;
      },
    });
    const err = await client.fourPass().catch((e) => e);
    expect(err).toBeInstanceOf(DskppError);
    expect(err.reason).toBe('KeyConfirmationFailed');
    expect((await se.listKeys()).map((k) => k.id)).toEqual(['attest']);
    expect(await se.listCredentials()).toEqual([]);
    await se.close();
  });
});

describe('key confirmation covers the whole run (RFC 6063 4.2.4, 3.4.3)', () => {
  it("a KeyProvServerHello altered on the way (stateful server) fails the client's key confirmation", async () => {
    const s = setup('stateful');
    const clientHello = fourPassHello(s.creds);
    const hello = await s.server.handle(clientHello);
    // Something the client does not otherwise check: an extra namespace declaration.
    const altered = hello.body.replace('<dskpp:KeyProvServerHello ', '<dskpp:KeyProvServerHello xmlns:x="urn:x" ');
    expect(altered).not.toBe(hello.body);
    const { negoXml, pending } = fourPassNego(s.creds, altered, 'shared-key', clientHello);
    const fin = await s.server.handle(negoXml);
    expect(fin.status).toBe('Success');
    expect(() => fourPassFinish(s.creds, pending, fin.body)).toThrow(
      expect.objectContaining({ reason: 'KeyConfirmationFailed' }),
    );
  });
});

describe('stateless profile specifics', () => {
  it('a token sealed under another server key is UnknownRequest; a rotated-out key still opens', async () => {
    const a = setup('stateless');
    const { negoXml } = await toPass3(a);
    const b = new DskppServer({ ...a.options, stateKeys: [{ id: 7, key: new Uint8Array(randomBytes(32)) }] });
    expect(await status(b, negoXml)).toBe('UnknownRequest');
    const rotated = new DskppServer({
      ...a.options,
      stateKeys: [{ id: 8, key: new Uint8Array(randomBytes(32)) }, ...a.options.stateKeys!],
    });
    expect((await rotated.handle(negoXml)).status).toBe('Success');
  });

  it('a token issued for one server URL is not accepted by a server configured with another', async () => {
    const a = setup('stateless');
    const { negoXml } = await toPass3(a);
    const b = new DskppServer({ ...a.options, serverUrl: 'https://other.example/dskpp' });
    expect(await status(b, negoXml)).toBe('UnknownRequest');
  });

  it('per-process replay guards: a replay to another instance is NOT detected (the documented trade-off)', async () => {
    const a = setup('stateless');
    const b = new DskppServer({ ...a.options });
    const { negoXml } = await toPass3(a);
    expect((await a.server.handle(negoXml)).status).toBe('Success');
    expect((await b.handle(negoXml)).status).toBe('Success');
  });

  it('a shared store replay guard refuses the replay on every instance', async () => {
    const store = await openSqliteStore({ file: join(tmp('store'), 'guard.db') });
    try {
      const guard = collectionReplayGuard(store.collection<{ expiresAt: number }>('dskpp-replay'));
      const a = setup('stateless', { replayGuard: guard });
      const b = new DskppServer({ ...a.options });
      const { negoXml } = await toPass3(a);
      expect((await b.handle(negoXml)).status).toBe('Success');
      expect(await status(a.server, negoXml)).toBe('Abort');
      a.clock.t += 200_000;
      expect(await guard.prune(a.clock.t)).toBe(1);
    } finally {
      await store.close();
    }
  });
});

describe('2-pass refusals', () => {
  it('replayed hello: Abort; tampered AD: AuthenticationDataInvalid; missing AD: AuthenticationDataMissing', async () => {
    const s = setup('stateful');
    const { helloXml, pending } = twoPassHello(s.creds);
    expect(await status(s.server, flipBase64(helloXml, 'Mac'))).toBe('AuthenticationDataInvalid');
    expect(
      await status(s.server, helloXml.replace(/<dskpp:AuthenticationData>.*<\/dskpp:AuthenticationData>/, '')),
    ).toBe('AuthenticationDataMissing');
    const ok = await s.server.handle(helloXml);
    expect(ok.status).toBe('Success');
    expect(twoPassFinish(s.creds, pending, ok.body).kToken.length).toBe(16);
    expect(await status(s.server, helloXml)).toBe('Abort');
  });

  it('tampered wrapped key or MAC: the client refuses (KeyPackageInvalid / KeyConfirmationFailed)', async () => {
    const s = setup('stateful');
    const { helloXml, pending } = twoPassHello(s.creds);
    const body = (await s.server.handle(helloXml)).body;
    const badKey = body.replace(
      /(<xenc:CipherValue>)(.)/,
      (_m, o: string, c: string) => `${o}${c === 'A' ? 'B' : 'A'}`,
    );
    expect(() => twoPassFinish(s.creds, { ...pending }, badKey)).toThrow(
      expect.objectContaining({ reason: 'KeyPackageInvalid' }),
    );
    expect(() => twoPassFinish(s.creds, { ...pending }, flipBase64(body, 'Mac'))).toThrow(
      expect.objectContaining({ reason: 'KeyConfirmationFailed' }),
    );
  });

  it('wrap key of another client: AccessDenied; only passphrase-wrap offered: NoProtocolVariants; transport without RSA-OAEP: NoSupportedEncryptionAlgorithms', async () => {
    const s = setup('stateful');
    const { helloXml } = twoPassHello(s.creds);
    expect(
      await status(s.server, helloXml.replace(`<ds:KeyName>${s.record.sharedKey.name}`, '<ds:KeyName>someone-else')),
    ).toBe('AccessDenied');
    expect(
      await status(
        s.server,
        helloXml.replace(
          'urn:ietf:params:xml:schema:keyprov:dskpp:wrap',
          'urn:ietf:params:xml:schema:keyprov:dskpp:passphrase-wrap',
        ),
      ),
    ).toBe('NoProtocolVariants');
    // The key transport profile is supported now (test/key-transport.test.ts); it needs RSA-OAEP.
    expect(
      await status(
        s.server,
        helloXml.replace(
          'urn:ietf:params:xml:schema:keyprov:dskpp:wrap',
          'urn:ietf:params:xml:schema:keyprov:dskpp:transport',
        ),
      ),
    ).toBe('NoSupportedEncryptionAlgorithms');
  });
});

describe('hello validation and negotiation statuses', () => {
  const s = setup('stateful');
  const hello = () => fourPassHello(s.creds);
  const cases: Array<[string, () => string, DskppStatus]> = [
    ['unsupported version', () => hello().replace('Version="1.0"', 'Version="2.0"'), 'UnsupportedVersion'],
    ['ill-formed version', () => hello().replace('Version="1.0"', 'Version="one"'), 'MalformedRequest'],
    ['not XML', () => '<dskpp:KeyProvClientHello', 'MalformedRequest'],
    ['a DTD', () => `<!DOCTYPE x [<!ENTITY e "e">]>${hello().replace(/^<\?xml[^>]*>/, '')}`, 'MalformedRequest'],
    [
      'missing SupportedKeyTypes',
      () => hello().replace(/<dskpp:SupportedKeyTypes>.*?<\/dskpp:SupportedKeyTypes>/, ''),
      'MalformedRequest',
    ],
    [
      'elements out of order',
      () =>
        hello().replace(
          /(<dskpp:SupportedKeyTypes>.*?<\/dskpp:SupportedKeyTypes>)(<dskpp:SupportedEncryptionAlgorithms>.*?<\/dskpp:SupportedEncryptionAlgorithms>)/,
          '$2$1',
        ),
      'MalformedRequest',
    ],
    ['unknown attribute', () => hello().replace('Version="1.0"', 'Version="1.0" Foo="x"'), 'MalformedRequest'],
    [
      'a short ClientNonce',
      () =>
        hello().replace(
          '<dskpp:SupportedKeyTypes>',
          '<dskpp:ClientNonce>AAAA</dskpp:ClientNonce><dskpp:SupportedKeyTypes>',
        ),
      'MalformedRequest',
    ],
    ['a foreign root', () => '<x:KeyProvClientHello xmlns:x="urn:other" Version="1.0"/>', 'UnknownRequest'],
    [
      'a server message',
      () =>
        '<dskpp:KeyProvServerFinished xmlns:dskpp="urn:ietf:params:xml:ns:keyprov:dskpp" Version="1.0" Status="Abort"/>',
      'UnknownRequest',
    ],
    [
      'a critical extension',
      () =>
        hello().replace(
          '</dskpp:KeyProvClientHello>',
          '<dskpp:Extensions><dskpp:Extension Critical="true"/></dskpp:Extensions></dskpp:KeyProvClientHello>',
        ),
      'UnknownCriticalExtension',
    ],
    [
      'no common key type',
      () => hello().replace(KEY_TYPE_AES128, 'urn:ietf:params:xml:ns:keyprov:pskc:hotp'),
      'NoSupportedKeyTypes',
    ],
    [
      'no common encryption algorithm',
      () => hello().replace('xmlenc#kw-aes128', 'xmlenc#rsa-1_5'),
      'NoSupportedEncryptionAlgorithms',
    ],
    [
      'no common MAC algorithm',
      () =>
        hello().replace(
          /<dskpp:SupportedMacAlgorithms>.*?<\/dskpp:SupportedMacAlgorithms>/,
          '<dskpp:SupportedMacAlgorithms><dskpp:Algorithm>urn:x:mac</dskpp:Algorithm></dskpp:SupportedMacAlgorithms>',
        ),
      'NoSupportedMacAlgorithms',
    ],
    [
      'no common variant',
      () =>
        hello().replace(
          '<dskpp:FourPass/>',
          '<dskpp:TwoPass><dskpp:SupportedKeyProtectionMethod>urn:ietf:params:xml:schema:keyprov:dskpp:wrap</dskpp:SupportedKeyProtectionMethod></dskpp:TwoPass>',
        ),
      'NoProtocolVariants',
    ],
    [
      'no common key package',
      () => hello().replace('dskpp:pskc-key-container', 'dskpp:other'),
      'NoSupportedKeyPackages',
    ],
    ['an unregistered device', () => hello().replace('SN-0001', 'SN-9999'), 'AccessDenied'],
    [
      'a key replacement request (KeyID): not offered, refused rather than run as a new key',
      () =>
        hello().replace(
          '</dskpp:DeviceIdentifierData>',
          '</dskpp:DeviceIdentifierData><dskpp:KeyID>SE9UUDAwMDAwMDAx</dskpp:KeyID>',
        ),
      'UnknownRequest',
    ],
  ];
  it.each(cases)('%s', async (_name, make, expected) => {
    expect(await status(s.server, make())).toBe(expected);
  });
});

describe('HTTP binding', () => {
  it('refuses other media types (415), other methods (405) and oversized bodies (413); DSKPP errors are 200', async () => {
    const h = await startServer();
    try {
      const post = (body: string, type = 'application/dskpp+xml') =>
        fetch(h.url, { method: 'POST', headers: { 'content-type': type }, body });
      expect((await post('<x/>', 'application/xml')).status).toBe(415);
      expect((await fetch(h.url)).status).toBe(405);
      expect((await post('x'.repeat(70_000))).status).toBe(413);
      // No DSKPP client message at all: 400 (RFC 6063 7.2.4).
      expect((await post('<x/>')).status).toBe(400);
      const res = await post(
        '<dskpp:KeyProvClientHello xmlns:dskpp="urn:ietf:params:xml:ns:keyprov:dskpp" Version="1.0"/>',
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/dskpp\+xml/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toContain('Status="MalformedRequest"');
    } finally {
      await h.close();
    }
  });

  it('a server error status reaches the client as a DskppError from the peer', async () => {
    const h = await startServer();
    try {
      const { se } = await openSe();
      const err = await clientFor(h, se, { device: { ...DEVICE, serialNo: 'nope' } })
        .fourPass()
        .catch((e) => e);
      expect(err).toBeInstanceOf(DskppError);
      expect([err.status, err.fromPeer]).toEqual(['AccessDenied', true]);
      await se.close();
    } finally {
      await h.close();
    }
  });
});

afterAll(() => {
  // Every status code of RFC 6063 section 3.3 was produced by a response above.
  expect([...observed].sort()).toEqual([...DSKPP_STATUS_CODES].sort());
});
