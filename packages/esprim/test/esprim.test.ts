// ESPrim Objects (TS-0003 8.4.2, 8.4.3.2) and the Target's error cases (TS-0004 Table 7.6.2-1).
import { randomBytes } from 'node:crypto';
import { formatTimestamp } from '@m2msec/protocol';
import { compactDecrypt } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  contentEncryptionKey,
  ESPrimClient,
  ESPrimOriginator,
  ESPrimReceiver,
  e2eSecInfo,
  PairwiseESPrimKeys,
  parseCompact,
  parseReceiverRandObject,
  securityInfoOf,
  sessionESPrimKey,
  supportsESPrim,
} from '../src/index.js';
import { AE, alterChar, KID, pair } from './helpers.js';

const retrieve = (rqi = 'rq-1') => ({ op: 2 as const, to: '/id-in/cse-in/data', fr: AE, rqi, rvi: '3' });

async function rscOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    return (e as { rsc: number }).rsc;
  }
  return 0;
}

describe('ESPrim protect / unprotect', () => {
  it('round-trips a request and its response; the Receiver learns the key identity', async () => {
    const { receiver, originator } = pair();
    const object = originator.protectRequest(retrieve());
    const { inner, session } = await receiver.unprotectRequest(object);
    expect(inner).toEqual(retrieve());
    expect(session.identity).toBe(AE);
    const epo = receiver.protectResponse(session, { rsc: 2000, rqi: 'rq-1', pc: { 'm2m:cnt': { rn: 'data' } } });
    expect(originator.unprotectResponse(epo)).toEqual({ rsc: 2000, rqi: 'rq-1', pc: { 'm2m:cnt': { rn: 'data' } } });
  });

  it('is a JWE compact object: dir, A256GCM, empty encrypted key; jose decrypts it with sessionESPrimKey', async () => {
    const { receiver, originator, key } = pair();
    const object = originator.protectRequest(retrieve());
    const parts = object.split('.');
    expect(parts).toHaveLength(5);
    expect(parts[1]).toBe('');
    const { header } = parseCompact(object);
    expect(header).toMatchObject({ alg: 'dir', enc: 'A256GCM', kid: KID, cty: 'vnd.onem2m-preq+json' });
    expect(header.oro?.esri).toBe(header.ori);
    // An independent JOSE implementation given the 10.3.8 key opens it: the format is standard JWE.
    const recv = parseReceiverRandObject((receiver as any).receiverRands.get(header.rri));
    const cek = contentEncryptionKey(sessionESPrimKey(key, recv, header.oro!), 'A256GCM');
    const { plaintext } = await compactDecrypt(object, cek);
    expect(JSON.parse(Buffer.from(plaintext).toString())).toEqual(retrieve());
  });

  it('each AEAD of TS-0004 Table 6.3.4.2.41-1 works (10, 11, 12)', async () => {
    for (const id of [10, 11, 12] as const) {
      const key = randomBytes(32);
      const keys = new PairwiseESPrimKeys();
      keys.add({ kid: KID, key, identity: AE });
      const receiver = new ESPrimReceiver({ keys });
      const originator = new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: key, espa: [id] });
      originator.startSession(receiver.issueRandObject());
      const object = originator.protectRequest(retrieve());
      expect(parseCompact(object).header.enc).toBe({ 10: 'A128GCM', 11: 'A192GCM', 12: 'A256GCM' }[id]);
      expect((await receiver.unprotectRequest(object)).inner.rqi).toBe('rq-1');
    }
  });

  it('sends "oro" until a response proves the Receiver holds it, then "ori" alone', async () => {
    const { receiver, originator } = pair();
    const first = await receiver.unprotectRequest(originator.protectRequest(retrieve('a')));
    originator.unprotectResponse(receiver.protectResponse(first.session, { rsc: 2000, rqi: 'a' }));
    const second = originator.protectRequest(retrieve('b'));
    expect(parseCompact(second).header.oro).toBeUndefined();
    expect((await receiver.unprotectRequest(second)).inner.rqi).toBe('b');
  });
});

describe('attacks on ESPrim Objects are refused with the statuses of TS-0004 Table 7.6.2-1', () => {
  it('a byte altered in the ciphertext, tag or IV: 4115 ESPRIM_BAD_MAC', async () => {
    const { receiver, originator } = pair();
    const object = originator.protectRequest(retrieve());
    const parts = object.split('.');
    for (const i of [2, 3, 4]) {
      const altered = [...parts];
      altered[i] = alterChar(altered[i]!, 3);
      expect(await rscOf(receiver.unprotectRequest(altered.join('.')))).toBe(4115);
    }
    // The untouched object still goes through: the failures left no state behind.
    expect((await receiver.unprotectRequest(object)).inner.rqi).toBe('rq-1');
  });

  it('a header member altered (the AAD) is detected: 4115, or the check its new value fails', async () => {
    const { receiver, originator } = pair();
    const object = originator.protectRequest(retrieve());
    const p = parseCompact(object);
    const reheader = (h: object) =>
      [Buffer.from(JSON.stringify(h)).toString('base64url'), ...object.split('.').slice(1)].join('.');
    expect(await rscOf(receiver.unprotectRequest(reheader({ ...p.header, cty: 'vnd.onem2m-preq+json ' })))).toBe(4115);
    // A relayed "oro" with another (still valid) expiry changes the derived key: the MAC check fails.
    const oro = { ...p.header.oro!, esrx: formatTimestamp(new Date(Date.now() + 60_000)) };
    expect(await rscOf(receiver.unprotectRequest(reheader({ ...p.header, oro })))).toBe(4115);
  });

  it('a replayed ESPrim Object is refused (5210), the original is processed once', async () => {
    const { receiver, originator } = pair();
    const object = originator.protectRequest(retrieve());
    await receiver.unprotectRequest(object);
    expect(await rscOf(receiver.unprotectRequest(object))).toBe(5210);
  });

  it('the wrong pairwise key under a known kid: 4115; an unknown kid: 4112; an expired key: 4112', async () => {
    const { receiver, keys } = pair();
    const forger = new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: randomBytes(32) });
    forger.startSession(receiver.issueRandObject());
    expect(await rscOf(receiver.unprotectRequest(forger.protectRequest(retrieve())))).toBe(4115);
    const stranger = new ESPrimOriginator({ kid: 'nobody', pairwiseESPrimKey: randomBytes(32) });
    stranger.startSession(receiver.issueRandObject());
    expect(await rscOf(receiver.unprotectRequest(stranger.protectRequest(retrieve())))).toBe(4112);
    const key = randomBytes(32);
    keys.add({ kid: 'old', key, identity: AE, expiresAt: Date.now() - 1 });
    const expired = new ESPrimOriginator({ kid: 'old', pairwiseESPrimKey: key });
    expired.startSession(receiver.issueRandObject());
    expect(await rscOf(receiver.unprotectRequest(expired.protectRequest(retrieve())))).toBe(4112);
  });

  it('a receiver rand object the Receiver never issued, or one expired: 4114', async () => {
    const { key, receiver } = pair();
    const other = new ESPrimReceiver({ keys: new PairwiseESPrimKeys() });
    const o = new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: key });
    o.startSession(other.issueRandObject());
    expect(await rscOf(receiver.unprotectRequest(o.protectRequest(retrieve())))).toBe(4114);
    let now = Date.now();
    const p = pair({ now: () => now });
    const object = p.originator.protectRequest(retrieve());
    now += 2 * 3_600_000;
    expect(await rscOf(p.receiver.unprotectRequest(object))).toBe(4114);
  });

  it('an originator rand object by ID only, never sent in full: 4113', async () => {
    const { receiver, originator } = pair();
    (originator as any).confirmed = true; // as if a response had confirmed it
    expect(await rscOf(receiver.unprotectRequest(originator.protectRequest(retrieve())))).toBe(4113);
  });

  it('an AEAD the originator did not list, or "alg" other than dir: 4111', async () => {
    const { receiver, key } = pair();
    const o = new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: key, espa: [10] });
    o.startSession(receiver.issueRandObject());
    (o as any).enc = 'A256GCM'; // claims A256GCM though its oro lists only A128GCM
    expect(await rscOf(receiver.unprotectRequest(o.protectRequest(retrieve())))).toBe(4111);
    const h = Buffer.from(JSON.stringify({ alg: 'A128KW', enc: 'A128GCM', kid: KID, ori: 'o', rri: 'u' })).toString(
      'base64url',
    );
    expect(await rscOf(receiver.unprotectRequest(`${h}..AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA`))).toBe(4111);
  });

  it('unparsable objects: 4000', async () => {
    const { receiver } = pair();
    for (const bad of [42, 'a.b.c', 'a.b.c.d.e', '!!!..AAAA.AA.AA', `${Buffer.from('[]').toString('base64url')}....`]) {
      expect(await rscOf(receiver.unprotectRequest(bad))).toBe(4000);
    }
  });

  it('a protected response reflected back to the Receiver as a request is refused', async () => {
    const { receiver, originator } = pair();
    const { session } = await receiver.unprotectRequest(originator.protectRequest(retrieve()));
    const epo = receiver.protectResponse(session, { rsc: 2000, rqi: 'rq-1' });
    expect(await rscOf(receiver.unprotectRequest(epo))).not.toBe(0);
  });

  it('the Originator refuses a replayed or unsolicited response', async () => {
    const { receiver, originator } = pair();
    const { session } = await receiver.unprotectRequest(originator.protectRequest(retrieve()));
    const epo = receiver.protectResponse(session, { rsc: 2000, rqi: 'rq-1' });
    originator.unprotectResponse(epo);
    expect(() => originator.unprotectResponse(epo)).toThrow(/no pending request/);
    const unsolicited = receiver.protectResponse(session, { rsc: 2000, rqi: 'never-sent' });
    expect(() => originator.unprotectResponse(unsolicited)).toThrow(/no pending request/);
  });
});

describe('shared receiver rand object (TS-0003 8.4.2 B.1, B.2c) and e2eSecInfo', () => {
  it('an Originator starts from the esro in e2eSecInfo without the sit=3 exchange', async () => {
    const { receiver, key } = pair();
    const esi = e2eSecInfo({ suids: [13, 23], shared: receiver.sharedRandObject() });
    expect(esi.esro!.esri.startsWith('s')).toBe(true);
    expect(receiver.sharedRandObject()).toBe(esi.esro); // one shared object until it expires
    let sent = 0;
    const client = new ESPrimClient({
      originator: new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: key }),
      send: async (req) => {
        sent++;
        const { inner, session } = await receiver.unprotectRequest(securityInfoOf(req.pc)!.epo);
        const epo = receiver.protectResponse(session, { rsc: 2000, rqi: inner.rqi });
        return { rsc: 2000, rqi: req.rqi, pc: { 'm2m:seci': { sit: 5, epo } } };
      },
      from: 'Cae1',
      targetCseBase: '/id-in/cse-in',
    });
    await client.startFromE2ESecInfo(esi);
    expect((await client.request({ ...retrieve('s1') })).rsc).toBe(2000);
    expect(sent).toBe(1);
  });

  it('a Receiver that does not list ESPrim: 4111 before anything is sent', async () => {
    const client = new ESPrimClient({
      originator: new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: randomBytes(32) }),
      send: async () => {
        throw new Error('must not send');
      },
      from: 'Cae1',
      targetCseBase: '/id-in/cse-in',
    });
    await expect(client.startFromE2ESecInfo(e2eSecInfo({ suids: [22] }))).rejects.toMatchObject({ rsc: 4111 });
    expect(supportsESPrim({ esf: [43] })).toBe(true);
  });
});

describe('the 52xx ESPrim statuses', () => {
  it('an authentic object whose plaintext is not an inner request primitive: 5210 ESPRIM_DECRYPTION_ERROR', async () => {
    const { receiver, originator, key } = pair();
    const { header } = parseCompact(originator.protectRequest(retrieve()));
    const recv = parseReceiverRandObject((receiver as any).receiverRands.get(header.rri));
    const cek = contentEncryptionKey(sessionESPrimKey(key, recv, header.oro!), 'A256GCM');
    // Made with jose, an independent JWE implementation, under the right key: it decrypts, then fails.
    const { CompactEncrypt } = await import('jose');
    const notJson = await new CompactEncrypt(Buffer.from('not a primitive'))
      .setProtectedHeader({ ...header })
      .encrypt(cek);
    expect(await rscOf(receiver.unprotectRequest(notJson))).toBe(5210);
  });

  it('an inner response that cannot be protected: 5211 ESPRIM_ENCRYPTION_ERROR', async () => {
    const { receiver, originator } = pair();
    const { session } = await receiver.unprotectRequest(originator.protectRequest(retrieve()));
    const broken = { ...session, sessionKey: Buffer.alloc(3) };
    expect(() => receiver.protectResponse(broken, { rsc: 2000, rqi: 'rq-1' })).toThrow(
      expect.objectContaining({ rsc: 5211 }),
    );
  });
});
