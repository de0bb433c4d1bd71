// The MAF ESPrim Framework (TS-0003 8.4.2 A, C.6a; SUID 33) against a real MAF over TLS-PSK: the
// Originator registers its MAF Handshake's Kc for one Receiver, protects a primitive under
// pairwiseESPrimKey = HMAC(Kc, reserved label) with the Key Identifier as kid; the Receiver, which never
// held the key, retrieves Kc from the MAF on the first object, derives the same key and binds it to the
// Originator the MAF names. Attacks: a Receiver not named, a kid of another MAF, an SAEF Kc (SUID 32)
// or an ESData key used as an ESPrim key, an expired registration.
import { deriveMafPairwiseESPrimKey } from '@m2msec/crypto';
import { ESPrimOriginator, ESPrimReceiver, FetchingESPrimKeys, PairwiseESPrimKeys } from '@m2msec/esprim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MafClient,
  mafESPrimKeyFetcher,
  registerESDataKey,
  registerESPrimKey,
  registerSourceGeneratedESPrimKey,
} from '../src/index.js';
import { ADMIN_FQDN, inMinutes, MAF_FQDN, startTestMaf, type TestMaf } from './helpers.js';

const ORIGINATOR = '//m2msec.org/id-mn/Csensor';
const RECEIVER = '//m2msec.org/id-in';
const OTHER = '//m2msec.org/id-other';
const ctx = { spId: 'm2msec.org', cseId: '/id-in' };

let t: TestMaf;
let originator: MafClient;
let receiver: MafClient;
let other: MafClient;

beforeAll(async () => {
  t = await startTestMaf();
  originator = await t.client(ORIGINATOR);
  receiver = await t.client(RECEIVER);
  other = await t.client(OTHER);
  for (const c of [originator, receiver, other])
    await c.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(60) });
}, 60_000);
afterAll(() => t?.close());

const retrieve = (rqi: string) => ({ op: 2 as const, to: '/id-in/cse-in/data', fr: 'Csensor', rqi, rvi: '3' });

/** A Receiver whose only keys come from `client`'s MAF; `errors` collects why a fetch failed. */
function receiverOf(client: MafClient) {
  const errors: string[] = [];
  const r = new ESPrimReceiver({
    keys: new FetchingESPrimKeys(new PairwiseESPrimKeys(), {
      ...mafESPrimKeyFetcher(client, ctx),
      onError: (m) => errors.push(m),
      negativeCacheMs: 0,
    }),
  });
  return { r, errors };
}

function protect(kid: string, key: Uint8Array, r: ESPrimReceiver, rqi = 'r1') {
  const o = new ESPrimOriginator({ kid, pairwiseESPrimKey: key });
  o.startSession(r.issueRandObject());
  return o.protectRequest(retrieve(rqi));
}

describe('MAF ESPrim keys (SUID 33)', () => {
  it('the named Receiver retrieves Kc, derives the same pairwiseESPrimKey and binds the Originator', async () => {
    const k = await registerESPrimKey(originator, {
      adminFQDN: ADMIN_FQDN,
      targetID: RECEIVER,
      expirationTime: inMinutes(10),
    });
    expect(k.kid).toMatch(new RegExp(`^[0-9a-f]{32}@${MAF_FQDN.replace(/\./g, '\\.')}$`));
    const fetched = await mafESPrimKeyFetcher(receiver, ctx).fetch(k.kid);
    expect(Buffer.from(fetched.key).equals(k.key)).toBe(true);
    expect(fetched.identity).toBe('/id-mn/Csensor');
    expect(fetched.expiresAt).toBe(k.expiresAt);
    // The MAF holds Kc (the session exporter's); the ESPrim key is derived from it, never Kc itself.
    const held = await receiver.retrieveKey(k.kid);
    expect(held.suid).toBe(33);
    expect(deriveMafPairwiseESPrimKey(held.keyValue).equals(k.key)).toBe(true);
    expect(held.keyValue.equals(k.key)).toBe(false);

    const { r } = receiverOf(receiver);
    const { inner, session } = await r.unprotectRequest(protect(k.kid, k.key, r));
    expect(inner.rqi).toBe('r1');
    expect(session.identity).toBe('/id-mn/Csensor');
    expect(session.expiresAt).toBeLessThanOrEqual(k.expiresAt);
  });

  it('attack: a Receiver the Originator did not name gets no key (the MAF refuses) and answers 4112', async () => {
    const k = await registerESPrimKey(originator, {
      adminFQDN: ADMIN_FQDN,
      targetID: RECEIVER,
      expirationTime: inMinutes(10),
    });
    const { r, errors } = receiverOf(other);
    await expect(r.unprotectRequest(protect(k.kid, k.key, r))).rejects.toMatchObject({ rsc: 4112 });
    expect(errors.join('\n')).toMatch(/could not be fetched/);
  });

  it('attack: a kid naming another MAF is never fetched (4112), even when this MAF holds that RelativeKeyID', async () => {
    const k = await registerESPrimKey(originator, {
      adminFQDN: ADMIN_FQDN,
      targetID: RECEIVER,
      expirationTime: inMinutes(10),
    });
    const foreign = k.kid.replace(`@${MAF_FQDN}`, '@maf.attacker.example');
    const { r, errors } = receiverOf(receiver);
    expect(mafESPrimKeyFetcher(receiver, ctx).accepts(foreign)).toBe(false);
    await expect(r.unprotectRequest(protect(foreign, k.key, r))).rejects.toMatchObject({ rsc: 4112 });
    expect(errors).toEqual([]); // not even tried
  });

  it('attack: an SAEF Kc (SUID 32) or an ESData key (SUID 34) of this Receiver is not an ESPrim key', async () => {
    const saef = await originator.registerKey({
      adminFQDN: ADMIN_FQDN,
      expirationTime: inMinutes(10),
      suid: 32,
      targetIDs: [RECEIVER],
    });
    const kc = saef.connectionKey!.kc;
    // The Originator knows Kc and derives the ESPrim key from it as the framework would: still refused.
    const { r, errors } = receiverOf(receiver);
    await expect(
      r.unprotectRequest(protect(saef.keyIdentifier, deriveMafPairwiseESPrimKey(kc), r)),
    ).rejects.toMatchObject({ rsc: 4112 });
    await expect(mafESPrimKeyFetcher(receiver, ctx).fetch(saef.keyIdentifier)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const data = await registerESDataKey(originator, {
      adminFQDN: ADMIN_FQDN,
      suid: 34,
      targetIDs: [RECEIVER],
      expirationTime: inMinutes(10),
    });
    await expect(r.unprotectRequest(protect(data.kid, data.key, r, 'r2'))).rejects.toMatchObject({ rsc: 4112 });
    expect(errors.join('\n')).toMatch(/SUID 32, not 33/);
    expect(errors.join('\n')).toMatch(/SUID 34, not 33/);
  });

  it('attack: the right kid with another key is refused at decryption (4115), no key is learnt', async () => {
    const k = await registerESPrimKey(originator, {
      adminFQDN: ADMIN_FQDN,
      targetID: RECEIVER,
      expirationTime: inMinutes(10),
    });
    const { r } = receiverOf(receiver);
    const wrong = Buffer.from(k.key);
    wrong[0]! ^= 1;
    await expect(r.unprotectRequest(protect(k.kid, wrong, r))).rejects.toMatchObject({ rsc: 4115 });
  });

  it('a registration that expired is unknown (4112)', async () => {
    const k = await registerESPrimKey(originator, {
      adminFQDN: ADMIN_FQDN,
      targetID: RECEIVER,
      expirationTime: Date.now() + 1500,
    });
    await new Promise((res) => setTimeout(res, 2000));
    const { r } = receiverOf(receiver);
    await expect(r.unprotectRequest(protect(k.kid, k.key, r))).rejects.toMatchObject({ rsc: 4112 });
  });
});

describe('Source-generated ESPrim keys at the MAF as TEF (TS-0003 8.6.3, 8.8.2.7 2.b; SUID 33)', () => {
  it('the Originator generates Kc; the named Receiver retrieves it and derives the same key, bound to the Source', async () => {
    const k = await registerSourceGeneratedESPrimKey(originator, {
      adminFQDN: ADMIN_FQDN,
      targetID: RECEIVER,
      expirationTime: inMinutes(10),
    });
    expect(k.kid).toMatch(new RegExp(`^[0-9a-f]{32}@${MAF_FQDN.replace(/\./g, '\\.')}$`));
    const held = await receiver.retrieveKey(k.kid);
    expect(held.suid).toBe(33);
    expect(held.keyValue.length).toBe(32);
    // The MAF holds the Source's Kc; the ESPrim key is derived from it (C.6a.4), never Kc itself.
    expect(deriveMafPairwiseESPrimKey(held.keyValue).equals(k.key)).toBe(true);
    expect(held.keyValue.equals(k.key)).toBe(false);
    // The MAF names the client its handshake authenticated as the source, not anything the Source chose.
    expect(held.sourceMafClientID).toBe(ORIGINATOR);
    const { r } = receiverOf(receiver);
    const { inner, session } = await r.unprotectRequest(protect(k.kid, k.key, r, 's1'));
    expect(inner.rqi).toBe('s1');
    expect(session.identity).toBe('/id-mn/Csensor');
  });

  it('each registration is a new Kc and a new kid', async () => {
    const p = { adminFQDN: ADMIN_FQDN, targetID: RECEIVER, expirationTime: inMinutes(10) };
    const [a, b] = [
      await registerSourceGeneratedESPrimKey(originator, p),
      await registerSourceGeneratedESPrimKey(originator, p),
    ];
    expect(a.kid).not.toBe(b.kid);
    expect(a.key.equals(b.key)).toBe(false);
  });

  it('attack: a client registering a key cannot make it speak for another identity', async () => {
    // `other` generates and registers a key for the Receiver, then uses it with the Originator's From: the
    // key is bound to `other`, the identity its MAF Handshake proved, which the Target compares with From.
    const k = await registerSourceGeneratedESPrimKey(other, {
      adminFQDN: ADMIN_FQDN,
      targetID: RECEIVER,
      expirationTime: inMinutes(10),
    });
    const { r } = receiverOf(receiver);
    const { inner, session } = await r.unprotectRequest(protect(k.kid, k.key, r, 's3'));
    expect(inner.fr).toBe('Csensor');
    expect(session.identity).toBe('/id-other');
    // Two Receivers for one ESPrim key are refused by the MAF: either could act as the Source to the other.
    await expect(
      other.registerKey({
        adminFQDN: ADMIN_FQDN,
        suid: 33,
        targetIDs: [RECEIVER, ORIGINATOR],
        expirationTime: inMinutes(10),
        keyValue: Buffer.alloc(32, 7),
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
