// MAF-based ESData with Source-generated credentials (TS-0003 8.6.3, 8.5.2.2.3, 8.8.2.7 / 8.8.2.8, Table
// 8.8.1-1) against a real MAF over TLS-PSK: the Source registers a random key with SUID 34 / 35 for its
// Targets, protects `con` under the Key Identifier, and only a named Target opens it. Attacks: a Target
// not named, a kid naming another MAF, a key registered for another usage (SAEF Kc, signature-only key
// used to decrypt and the reverse), an expired key, and a Source registering for itself another's kid.
import { randomBytes } from 'node:crypto';
import { protectContent, unprotectContent } from '@m2msec/esdata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MafClient, mafESDataKeyResolver, registerESDataKey } from '../src/index.js';
import { ADMIN_FQDN, inMinutes, MAF_FQDN, startTestMaf, type TestMaf } from './helpers.js';

const SOURCE = '//m2msec.org/id-mn/Csensor';
const READER1 = '//m2msec.org/id-in/Capp1';
const READER2 = '//m2msec.org/id-in/Capp2';
const OTHER = '//m2msec.org/id-in/Cother';

let t: TestMaf;
let source: MafClient;
let reader1: MafClient;
let reader2: MafClient;
let other: MafClient;

beforeAll(async () => {
  t = await startTestMaf();
  source = await t.client(SOURCE);
  reader1 = await t.client(READER1);
  reader2 = await t.client(READER2);
  other = await t.client(OTHER);
  for (const c of [source, reader1, reader2, other])
    await c.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(60) });
}, 60_000);
afterAll(() => t?.close());

const encrypt = (kid: string, key: Buffer, text = '{"temperature":21.5}') =>
  protectContent(text, { securityClass: 'encrypt', serialization: 1, recipients: [{ kid, alg: 'dir', key }] });
const decrypt = (con: string, client: MafClient) =>
  unprotectContent(con, { securityClass: 'encrypt', serialization: 1, resolve: mafESDataKeyResolver(client) });

describe('Source-generated ESData keys registered at the MAF (TEF)', () => {
  it('encryption (SUID 34): every named Target opens the con; the key never came from the session exporter', async () => {
    const k = await registerESDataKey(source, {
      adminFQDN: ADMIN_FQDN,
      suid: 34,
      targetIDs: [READER1, READER2],
      expirationTime: inMinutes(10),
    });
    expect(k.kid).toMatch(new RegExp(`^[0-9a-f]{32}@${MAF_FQDN.replace(/\./g, '\\.')}$`));
    expect(k.key.length).toBe(32);
    const con = await encrypt(k.kid, k.key);
    for (const r of [reader1, reader2]) {
      const opened = await decrypt(con, r);
      expect(Buffer.from(opened.payload).toString()).toBe('{"temperature":21.5}');
    }
    // The MAF holds the 64-byte Key Value; the ESData key is its first half (8.8.1).
    const held = await reader1.retrieveKey(k.kid);
    expect(held.keyValue.length).toBe(64);
    expect(held.keyValue.subarray(0, 32).equals(k.key)).toBe(true);
    expect(held.suid).toBe(34);
    expect(held.sourceMafClientID).toBe(SOURCE);
  });

  it('signature-only (SUID 35): HS256 MIC verified by a named Target', async () => {
    const k = await registerESDataKey(source, {
      adminFQDN: ADMIN_FQDN,
      suid: 35,
      targetIDs: [READER1],
      expirationTime: inMinutes(10),
    });
    const con = await protectContent('{"on":true}', {
      securityClass: 'sign',
      serialization: 1,
      signers: [{ kid: k.kid, alg: 'HS256', key: k.key }],
    });
    const v = await unprotectContent(con, {
      securityClass: 'sign',
      serialization: 1,
      resolve: mafESDataKeyResolver(reader1),
    });
    expect(Buffer.from(v.payload).toString()).toBe('{"on":true}');
  });

  it('attack: a Target the Source did not name gets no key (the MAF refuses, 4103) and the con stays closed (4102)', async () => {
    const k = await registerESDataKey(source, {
      adminFQDN: ADMIN_FQDN,
      suid: 34,
      targetIDs: [READER1],
      expirationTime: inMinutes(10),
    });
    const con = await encrypt(k.kid, k.key);
    await expect(other.retrieveKey(k.kid)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(decrypt(con, other)).rejects.toMatchObject({ rsc: 4102, code: 'ERR_ESDATA_UNKNOWN_KID' });
    await expect(decrypt(con, reader2)).rejects.toMatchObject({ rsc: 4102 });
  });

  it('attack: a kid naming another MAF is never fetched (4102), even when this MAF has that RelativeKeyID', async () => {
    const k = await registerESDataKey(source, {
      adminFQDN: ADMIN_FQDN,
      suid: 34,
      targetIDs: [READER1],
      expirationTime: inMinutes(10),
    });
    const foreignKid = k.kid.replace(`@${MAF_FQDN}`, '@maf.attacker.example');
    const con = await encrypt(foreignKid, k.key);
    await expect(decrypt(con, reader1)).rejects.toMatchObject({ rsc: 4102, code: 'ERR_ESDATA_UNKNOWN_KID' });
  });

  it('attack: a key registered for another usage is not an ESData key for this algorithm', async () => {
    // An SAEF Kc (SUID 32) the reader may retrieve: not usable as an ESData key.
    const saef = await source.registerKey({
      adminFQDN: ADMIN_FQDN,
      expirationTime: inMinutes(10),
      suid: 32,
      targetIDs: [READER1],
      keyValue: randomBytes(64),
    });
    const withKc = await encrypt(saef.keyIdentifier, randomBytes(32));
    await expect(decrypt(withKc, reader1)).rejects.toMatchObject({ rsc: 4102, code: 'ERR_ESDATA_UNKNOWN_KID' });
    // A signature-only key (35) used for encryption, and an encryption key (34) used for a MIC.
    const sig = await registerESDataKey(source, {
      adminFQDN: ADMIN_FQDN,
      suid: 35,
      targetIDs: [READER1],
      expirationTime: inMinutes(10),
    });
    await expect(decrypt(await encrypt(sig.kid, sig.key), reader1)).rejects.toMatchObject({ rsc: 4102 });
    const enc = await registerESDataKey(source, {
      adminFQDN: ADMIN_FQDN,
      suid: 34,
      targetIDs: [READER1],
      expirationTime: inMinutes(10),
    });
    const mic = await protectContent('{"on":true}', {
      securityClass: 'sign',
      serialization: 1,
      signers: [{ kid: enc.kid, alg: 'HS256', key: enc.key }],
    });
    await expect(
      unprotectContent(mic, { securityClass: 'sign', serialization: 1, resolve: mafESDataKeyResolver(reader1) }),
    ).rejects.toMatchObject({ rsc: 4102 });
  });

  it('attack: an expired or de-registered key is not served, also not from the Target cache', async () => {
    let clock = Date.now();
    const k = await registerESDataKey(source, {
      adminFQDN: ADMIN_FQDN,
      suid: 34,
      targetIDs: [READER1],
      expirationTime: Date.now() + 60_000,
    });
    const resolve = mafESDataKeyResolver(reader1, { now: () => clock });
    const con = await encrypt(k.kid, k.key);
    const open = () => unprotectContent(con, { securityClass: 'encrypt', serialization: 1, resolve });
    await open();
    await source.deregisterKey(k.kid);
    clock += 61_000; // past the lifetime the MAF gave it: the cached key is dropped and the MAF has none
    await expect(open()).rejects.toMatchObject({ rsc: 4102, code: 'ERR_ESDATA_UNKNOWN_KID' });
  });

  it('a Source cannot register an ESData key with no Target, nor with a SUID outside 34 / 35', async () => {
    await expect(
      registerESDataKey(source, { adminFQDN: ADMIN_FQDN, suid: 34, targetIDs: [], expirationTime: inMinutes(1) }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      registerESDataKey(source, {
        adminFQDN: ADMIN_FQDN,
        suid: 33 as 34,
        targetIDs: [READER1],
        expirationTime: inMinutes(1),
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
