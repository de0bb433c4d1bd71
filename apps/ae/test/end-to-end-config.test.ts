// The AE's endToEnd configuration (docs/end-to-end-security.md): keys only from files only their owner can
// read, never inline; ESPrim over every transport, its key pre-provisioned or established by ESCertKE. What the configured AE sends through a relay is shown by
// test-e2e/test/esprim-process.test.ts.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyResolver, unprotectContent } from '@m2msec/esdata';
import { describe, expect, it } from 'vitest';
import { aeOptions, readConfig } from '../src/config.js';
import { AeEndToEnd } from '../src/end-to-end.js';

const dir = mkdtempSync(join(tmpdir(), 'm2msec-ae-e2e-'));
let n = 0;
function file(content: string, mode = 0o600): string {
  const f = join(dir, `f${++n}`);
  writeFileSync(f, content, { mode });
  return f;
}
const base = { registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' }, appId: 'Nt' };
const http = { kind: 'http', url: 'http://127.0.0.1:1/onem2m' };
const load = (c: unknown) => aeOptions(readConfig(file(JSON.stringify(c))));
const key = () => randomBytes(32).toString('base64');

describe('AE endToEnd configuration', () => {
  it('reads the ESPrim and ESData keys from their files', () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(16);
    const o = load({
      ...base,
      transport: http,
      endToEnd: {
        esprim: { kid: 'k1', keyFile: file(k1.toString('base64')), targetCseBase: '/id-in/cse-in' },
        esdata: { kid: 'k2', keyFile: file(`${k2.toString('base64')}\n`) },
      },
    });
    expect(Buffer.from((o.endToEnd!.esprim as { key: Uint8Array }).key)).toEqual(k1);
    expect(o.endToEnd!.esdata!.recipient).toMatchObject({ kid: 'k2', alg: 'dir' });
    expect(Buffer.from(o.endToEnd!.esdata!.recipient!.key as Uint8Array)).toEqual(k2);
  });

  it('refuses a key file readable by others, a short key, an inline key, a relative target; MQTT is fine', () => {
    const esprim = (e: Record<string, unknown>, transport: unknown = http) =>
      load({ ...base, transport, endToEnd: { esprim: { kid: 'k1', targetCseBase: '/id-in/cse-in', ...e } } });
    const open = file(key(), 0o644);
    expect(() => esprim({ keyFile: open })).toThrow(/accessible to group or others/);
    const short = randomBytes(8).toString('base64');
    expect(() => esprim({ keyFile: file(short) })).toThrow(/at least 16 bytes/);
    try {
      esprim({ keyFile: file(short) });
    } catch (e) {
      expect((e as Error).message).not.toContain(short);
    }
    expect(() => esprim({ keyFile: file(key()), key: key() })).toThrow(/unknown member\(s\) key/);
    expect(() =>
      esprim(
        { keyFile: file(key()) },
        { kind: 'mqtt', url: 'mqtts://127.0.0.1:1', psk: { identity: 'x', keyFile: file('00'.repeat(16)) } },
      ),
    ).not.toThrow();
    expect(() => esprim({ keyFile: file(key()), targetCseBase: 'cse-in' })).toThrow(/SP-relative <CSEBase>/);
    expect(() => load({ ...base, transport: http, endToEnd: { esprimm: {} } })).toThrow(/unknown member/);
  });

  it('ESCertKE credentials instead of a key: read from files, the private key only if 0600; never both', () => {
    const escertke = (k: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      load({
        ...base,
        transport: http,
        endToEnd: { esprim: { targetCseBase: '/id-in/cse-in', escertke: k, ...extra } },
      });
    const cert = file('-----BEGIN CERTIFICATE-----\n', 0o644);
    const ca = file('-----BEGIN CERTIFICATE-----\n', 0o644);
    const privateKey = file('-----BEGIN PRIVATE KEY-----\n');
    const o = escertke({ cert, key: privateKey, trustAnchors: [ca], spId: 'm2msec.org' });
    expect(o.endToEnd!.esprim).toMatchObject({
      targetCseBase: '/id-in/cse-in',
      escertke: { key: '-----BEGIN PRIVATE KEY-----\n', spId: 'm2msec.org', ca: ['-----BEGIN CERTIFICATE-----\n'] },
    });
    expect(() => escertke({ cert, key: file('k', 0o640), trustAnchors: [ca], spId: 'm2msec.org' })).toThrow(
      /accessible to group or others/,
    );
    expect(() => escertke({ cert, key: privateKey, trustAnchors: [], spId: 'm2msec.org' })).toThrow(/non-empty list/);
    expect(() => escertke({ cert, key: privateKey, trustAnchors: [ca] })).toThrow(/spId/);
    expect(() =>
      escertke({ cert, key: privateKey, trustAnchors: [ca], spId: 'm2msec.org' }, { kid: 'k', keyFile: file(key()) }),
    ).toThrow(/not both/);
  });

  it('ESData sign (ES256, HS256) and Nested-Sign-then-Encrypt (ES256 in RSA-OAEP-256): con opens with the peer keys', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = (k: { export(o: object): string | Buffer }, type: 'pkcs8' | 'spki', mode = 0o600) =>
      file(k.export({ type, format: 'pem' }).toString(), mode);
    const esdata = (d: Record<string, unknown>) => load({ ...base, transport: http, endToEnd: { esdata: d } });
    const reading = JSON.stringify({ t: 20.5 });

    const signOnly = esdata({
      sign: { kid: '51-/id-mn/Cae1', alg: 'ES256', privateKeyFile: pem(ec.privateKey, 'pkcs8') },
    });
    const signed = await new AeEndToEnd(signOnly.endToEnd!).content(reading);
    expect(signed.cnf).toBe('application/json:0:1');
    const v = await unprotectContent(signed.con, {
      securityClass: 'sign',
      serialization: 1,
      resolve: keyResolver([{ kid: '51-/id-mn/Cae1', key: ec.publicKey }]),
    });
    expect(Buffer.from(v.payload).toString()).toBe(reading);

    const hmac = randomBytes(32);
    const hs = esdata({ sign: { kid: '15-h@mef.m2msec.org', alg: 'HS256', keyFile: file(hmac.toString('base64')) } });
    const hsCon = (await new AeEndToEnd(hs.endToEnd!).content(reading)).con;
    await expect(
      unprotectContent(hsCon, {
        securityClass: 'sign',
        serialization: 1,
        resolve: keyResolver([{ kid: '15-h@mef.m2msec.org', key: hmac }]),
      }),
    ).resolves.toBeDefined();

    const nested = esdata({
      kid: '41-/id-in/Creader',
      alg: 'RSA-OAEP-256',
      publicKeyFile: pem(rsa.publicKey, 'spki', 0o644),
      sign: { kid: '51-/id-mn/Cae1', alg: 'ES256', privateKeyFile: pem(ec.privateKey, 'pkcs8') },
    });
    const both = (await new AeEndToEnd(nested.endToEnd!).content(reading)).con;
    const opened = await unprotectContent(both, {
      securityClass: 'sign-then-encrypt',
      serialization: 1,
      resolve: keyResolver([
        { kid: '41-/id-in/Creader', key: rsa.privateKey },
        { kid: '51-/id-mn/Cae1', key: ec.publicKey },
      ]),
    });
    expect(Buffer.from(opened.payload).toString()).toBe(reading);
  });

  it('ESData refusals: a private key readable by others, HS* with a private key, an algorithm outside 8.5.3', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const esdata = (d: Record<string, unknown>) => load({ ...base, transport: http, endToEnd: { esdata: d } });
    const open = file(ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o644);
    expect(() => esdata({ sign: { kid: 's', alg: 'ES256', privateKeyFile: open } })).toThrow(
      /accessible to group or others/,
    );
    const priv = file(ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(() => esdata({ sign: { kid: 's', alg: 'HS256', privateKeyFile: priv } })).toThrow(/HS\* takes a keyFile/);
    expect(() => esdata({ sign: { kid: 's', alg: 'PS256', privateKeyFile: priv } })).toThrow(/8\.5\.3\.3/);
    expect(() => esdata({ kid: 'k', keyFile: file(key()), alg: 'RSA1_5' })).toThrow(/8\.5\.3\.2/);
    expect(() => esdata({})).toThrow(/needs an encryption key/);
  });
  it('esdata.maf: Km from a 0600 hex file, never beside kid / keyFile; targets are Absolute IDs', () => {
    const km = randomBytes(32);
    const maf = {
      url: 'https://127.0.0.1:1',
      fqdn: 'maf.m2msec.org',
      kmId: 'ae@maf.m2msec.org',
      kmFile: file(km.toString('hex')),
      adminFQDN: 'sp.m2msec.org',
      targetIDs: ['//m2msec.org/id-in/Capp'],
    };
    const esdata = (d: Record<string, unknown>) => load({ ...base, transport: http, endToEnd: { esdata: d } });
    const o = esdata({ maf });
    expect(o.endToEnd!.esdata!.maf).toMatchObject({ kmId: 'ae@maf.m2msec.org', alg: 'dir', lifetimeMs: 3_600_000 });
    expect(Buffer.from(o.endToEnd!.esdata!.maf!.km)).toEqual(km);
    expect(() => esdata({ maf, kid: 'k', keyFile: file(key()) })).toThrow(/either maf .* not both/);
    expect(() => esdata({ maf: { ...maf, kmFile: file(km.toString('hex'), 0o644) } })).toThrow(
      /accessible to group or others/,
    );
    expect(() => esdata({ maf: { ...maf, targetIDs: ['Capp'] } })).toThrow(/Absolute AE-IDs/);
    expect(() => esdata({ maf: { ...maf, km: km.toString('hex') } })).toThrow(/unknown member\(s\) km/);
    expect(() => esdata({ maf: { ...maf, alg: 'A128KW' } })).toThrow(/dir or A256KW/);
    expect(() => esdata({ maf: { ...maf, url: 'http://127.0.0.1:1' } })).toThrow(/https URL/);
    expect(esdata({ maf: { ...maf, usage: 'sign' } }).endToEnd!.esdata!.maf).toMatchObject({
      usage: 'sign',
      alg: 'HS256',
    });
    expect(() => esdata({ maf: { ...maf, usage: 'sign', alg: 'dir' } })).toThrow(/HS256 or HS384 or HS512/);
    expect(() => esdata({ maf: { ...maf, usage: 'mac' } })).toThrow(/usage must be encrypt/);
    expect(() =>
      esdata({ maf: { ...maf, usage: 'sign' }, sign: { kid: 's', alg: 'HS256', keyFile: file(key()) } }),
    ).toThrow(/two signers/);
  });
  it('esprim.maf (MAF ESPrim, SUID 33): Km from a 0600 hex file; one key source only; the target is an Absolute CSE-ID', () => {
    const km = randomBytes(32).toString('hex');
    const maf = (m: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      load({
        ...base,
        transport: http,
        endToEnd: {
          esprim: {
            maf: {
              url: 'https://127.0.0.1:1',
              fqdn: 'maf.m2msec.org',
              kmId: 'ae@maf.m2msec.org',
              kmFile: file(km),
              adminFQDN: 'sp.m2msec.org',
              targetID: '//m2msec.org/id-in',
              ...m,
            },
            targetCseBase: '/id-in/cse-in',
            ...extra,
          },
        },
      });
    const o = maf({});
    const e = o.endToEnd!.esprim as { maf: { km: Uint8Array; targetID: string; lifetimeMs: number } };
    expect(Buffer.from(e.maf.km).toString('hex')).toBe(km);
    expect(e.maf).toMatchObject({ targetID: '//m2msec.org/id-in', lifetimeMs: 3_600_000 });
    expect(() => maf({}, { kid: 'k1', keyFile: file(key()) })).toThrow(/one key source only/);
    expect(() => maf({ targetID: '/id-in' })).toThrow(/Absolute CSE-ID of the Target/);
    // Source-generated Kc (TS-0003 8.6.3, 8.8.2.7 2.b): a boolean switch.
    expect((maf({ sourceGenerated: true }).endToEnd!.esprim as { maf: object }).maf).toMatchObject({
      sourceGenerated: true,
    });
    expect(() => maf({ sourceGenerated: 'yes' })).toThrow(/sourceGenerated must be true or false/);
    expect(() => maf({ kmFile: file(km, 0o644) })).toThrow(/accessible to group or others/);
    expect(() => maf({ km })).toThrow(/unknown member\(s\) km/);
    try {
      maf({ km });
    } catch (err) {
      expect((err as Error).message).not.toContain(km);
    }
  });

  it('escertke.keystore: exactly path and keyFile', () => {
    const escertke = (keystore: unknown) =>
      load({
        ...base,
        transport: http,
        endToEnd: {
          esprim: {
            targetCseBase: '/id-in/cse-in',
            escertke: { cert: file('c'), key: file('k'), trustAnchors: [file('t')], spId: 'm2msec.org', keystore },
          },
        },
      });
    const ok = escertke({ path: join(dir, 'ks.json'), keyFile: join(dir, 'ks.kek') });
    expect((ok.endToEnd!.esprim as { escertke: { keystore: unknown } }).escertke.keystore).toEqual({
      path: join(dir, 'ks.json'),
      keyFile: join(dir, 'ks.kek'),
    });
    expect(() => escertke({ path: join(dir, 'ks.json') })).toThrow(/keystore needs exactly path/);
    expect(() => escertke({ path: 'x', keyFile: 'y', kek: 'z' })).toThrow(/keystore needs exactly path/);
  });
  it('esdataTarget: opens a con of the class it expects; a stripped signature, an unknown kid and XML are refused', async () => {
    const k = randomBytes(32);
    const signKey = randomBytes(32);
    const o = load({
      ...base,
      transport: http,
      endToEnd: {
        esdataTarget: {
          securityClass: 'encrypt',
          keys: [{ kid: 'k1', keyFile: file(k.toString('base64')) }],
        },
      },
    });
    const e2e = new AeEndToEnd(o.endToEnd!);
    const source = new AeEndToEnd({ esdata: { recipient: { kid: 'k1', alg: 'dir', key: k } } });
    const cin = await source.content('{"t":1}');
    expect(await e2e.openContent({ 'm2m:cin': cin })).toEqual({ opened: '{"t":1}' });
    expect(await e2e.openContent({ 'm2m:cin': { cnf: 'application/json:0', con: '{}' } })).toBeUndefined();
    const unknown = new AeEndToEnd({ esdata: { recipient: { kid: 'k9', alg: 'dir', key: k } } });
    expect(await e2e.openContent({ 'm2m:cin': await unknown.content('x') })).toMatchObject({
      openRsc: 4102,
      openCode: 'ERR_ESDATA_UNKNOWN_KID',
    });
    expect(await e2e.openContent({ 'm2m:cin': { cnf: 'application/xml:0:4', con: '<x/>' } })).toMatchObject({
      openRsc: 4102,
      openCode: 'ERR_ESDATA_ALGORITHM',
    });
    // Attack: a Target that expects Nested-Sign-then-Encrypt does not accept an encrypt-only con.
    const nested = new AeEndToEnd({
      esdataTarget: {
        securityClass: 'sign-then-encrypt',
        keys: [
          { kid: 'k1', key: k },
          { kid: 's', key: signKey },
        ],
      },
    });
    expect(await nested.openContent({ 'm2m:cin': cin })).toMatchObject({ openRsc: 4000 });
    const esdataTarget = (t: unknown) => load({ ...base, transport: http, endToEnd: { esdataTarget: t } });
    expect(() => esdataTarget({ securityClass: 'encrypt' })).toThrow(/needs keys or maf/);
    expect(() => esdataTarget({ securityClass: 'none', keys: [] })).toThrow(/securityClass must be one of/);
    expect(() =>
      esdataTarget({ securityClass: 'sign', keys: [{ kid: 'a', keyFile: file(key()), publicKeyFile: file('x') }] }),
    ).toThrow(/exactly one of keyFile/);
    expect(() => esdataTarget({ securityClass: 'sign', keys: [{ kid: 'a', keyFile: file(key(), 0o644) }] })).toThrow(
      /accessible to group or others/,
    );
  });
});
