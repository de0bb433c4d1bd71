// ESCertKE (TS-0003 8.7): four ESCertKE Messages carried as m2m:seci (sit 6, eckm base64) through a relay,
// both end-points export the same pairwiseE2EKey (10.3.1), the relay cannot compute it, and the key works
// as a pairwiseESPrimKey. Certificates are made by openssl (test-support's TestCa), profile of 10.1.
import { ESPrimOriginator, ESPrimReceiver, PairwiseESPrimKeys } from '@m2msec/esprim';
import { TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EstablishedE2EKey, InitiatingEndPoint, TerminatingEndPoint } from '../src/index.js';

const ctx = { spId: 'm2msec.org', inCseId: '/id-in' };
let ca: TestCa;
let other: TestCa;
let ae: { cert: string; key: string };
let inCse: { cert: string; key: string };
let rogue: { cert: string; key: string };

beforeAll(() => {
  ca = new TestCa('escertke');
  other = new TestCa('other');
  ae = ca.issue({ san: 'URI:m2m://m2msec.org/id-mn/Cae1', usage: 'client' });
  inCse = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  rogue = other.issue({ san: 'URI:m2m://m2msec.org/id-mn/Cae1', usage: 'client' });
});
afterAll(() => undefined);

/** What travels through the relay: the outer NOTIFY Content, serialized as the bindings would. */
const seen: string[] = [];
function relay(message: Buffer, alter?: (b: Buffer) => Buffer): Buffer {
  const wire = JSON.stringify({ 'm2m:seci': { sit: 6, eckm: message.toString('base64') } });
  seen.push(wire);
  const b = Buffer.from(JSON.parse(wire)['m2m:seci'].eckm, 'base64');
  return alter ? alter(b) : b;
}

async function run(o: {
  initiator?: { cert: string; key: string };
  authorized?: string[];
  terminatingId?: string;
  alter?: { message: 1 | 2 | 3 | 4; at: (b: Buffer) => Buffer };
}): Promise<{ a: EstablishedE2EKey; b: EstablishedE2EKey }> {
  const init = new InitiatingEndPoint({
    ...(o.initiator ?? ae),
    ca: ca.cert,
    identityContext: ctx,
    terminatingId: o.terminatingId ?? '/id-in',
  });
  const term = new TerminatingEndPoint({
    ...inCse,
    ca: ca.cert,
    identityContext: ctx,
    isAuthorizedInitiator: (id) => (o.authorized ?? ['/id-mn/Cae1']).includes(id),
  });
  const alt = (n: number) => (o.alter?.message === n ? o.alter.at : undefined);
  try {
    const m1 = relay(await init.message1(), alt(1));
    const m2 = relay(await term.processMessage1(m1), alt(2));
    const m3 = relay(await init.processMessage2(m2), alt(3));
    const { message4, established: b } = await term.processMessage3(m3);
    const a = await init.processMessage4(relay(message4, alt(4)));
    return { a, b };
  } finally {
    init.close();
    term.close();
  }
}

async function rscOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    return (e as { rsc: number }).rsc;
  }
  return 0;
}

describe('ESCertKE through a relay', () => {
  it('both end-points export the same pairwiseE2EKey and ID; each learns the other identity', async () => {
    seen.length = 0;
    const { a, b } = await run({});
    expect(a.pairwiseE2EKey).toHaveLength(32);
    expect(a.pairwiseE2EKey.equals(b.pairwiseE2EKey)).toBe(true);
    expect(a.kid).toBe(b.kid);
    expect(a.kid).toMatch(/^[0-9a-f]{32}$/);
    expect(a.peer.id).toBe('/id-in');
    expect(b.peer.id).toBe('/id-mn/Cae1');
    // four messages crossed the relay; none of them carries the key
    expect(seen).toHaveLength(4);
    expect(seen.join('')).not.toContain(a.pairwiseE2EKey.toString('base64'));
    // a second run gives a fresh key
    const again = await run({});
    expect(again.a.pairwiseE2EKey.equals(a.pairwiseE2EKey)).toBe(false);
  });

  it('the established key serves as pairwiseESPrimKey (TS-0003 8.4.2 A) bound to the proven identity', async () => {
    const { a, b } = await run({});
    const keys = new PairwiseESPrimKeys();
    keys.add({ kid: b.kid, key: b.pairwiseE2EKey, identity: b.peer.id });
    const receiver = new ESPrimReceiver({ keys });
    const originator = new ESPrimOriginator({ kid: a.kid, pairwiseESPrimKey: a.pairwiseE2EKey });
    originator.startSession(receiver.issueRandObject());
    const { inner, session } = await receiver.unprotectRequest(
      originator.protectRequest({ op: 2, to: '/id-in/cse-in', fr: '/id-mn/Cae1', rqi: 'r1', rvi: '3' }),
    );
    expect([inner.rqi, session.identity]).toEqual(['r1', '/id-mn/Cae1']);
  });

  it('an initiator the terminating end-point is not configured for: 4103, no key', async () => {
    expect(await rscOf(run({ authorized: ['/id-mn/Cother'] }))).toBe(4103);
  });

  it('a terminating end-point whose certificate proves another identity: 4103 at the initiator', async () => {
    expect(await rscOf(run({ terminatingId: '/id-in2' }))).toBe(4103);
  });

  it('an initiator certificate from an untrusted CA: the handshake fails (4000)', async () => {
    expect(await rscOf(run({ initiator: rogue }))).toBe(4000);
  });

  it('a byte altered by the relay in any message: the handshake fails (4000), no key', async () => {
    for (const message of [1, 2, 3, 4] as const) {
      const at = (b: Buffer) => {
        const c = Buffer.from(b);
        c[c.length - 3] = c[c.length - 3]! ^ 0x01;
        return c;
      };
      expect(await rscOf(run({ alter: { message, at } })), `message ${message}`).toBe(4000);
    }
  });

  it('a message that is not TLS records is refused before TLS sees it (4000)', async () => {
    const term = new TerminatingEndPoint({
      ...inCse,
      ca: ca.cert,
      identityContext: ctx,
      isAuthorizedInitiator: () => true,
    });
    expect(await rscOf(term.processMessage1(Buffer.from('GET / HTTP/1.1\r\n\r\n')))).toBe(4000);
    term.close();
  });
});
