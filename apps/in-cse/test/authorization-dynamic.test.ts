// Issue 4 "Must show", Direct Dynamic Authorization (TS-0003 7.3.2.2, TS-0004 7.5.1.2.10) between the
// IN-CSE and the reference DAS, both separate processes: grant, deny, lifetime expiry, tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DasProcess, fixture, jwkOf, keys, startAuthorizationCse, startDas } from './authorization-helpers.js';
import { freePort, type InCseProcess } from './harness.js';

let cse: InCseProcess;
let das: DasProcess;
let f: ReturnType<typeof fixture>;
let guarded: string;

beforeAll(async () => {
  das = await startDas([
    { name: 'no-mallory', originators: ['/id-in/Cmallory'], deny: true },
    {
      name: 'guest-read',
      originators: ['/id-in/Cguest'],
      operations: [2],
      grant: { acop: 2, lifetimeMs: 6000, as: 'policy' },
    },
    {
      name: 'meter-token',
      originators: ['/id-in/Cmeter'],
      operations: [2],
      grant: { acop: 2, lifetimeMs: 60_000, as: 'token' },
    },
  ]);
  cse = await startAuthorizationCse({
    authorization: { tokenIssuers: [{ id: '/id-in/CDas', keys: [jwkOf(keys.das.publicKey)], algorithms: ['ES256'] }] },
  });
  f = fixture(cse);
  await f.register('Cowner', 'Cguest', 'Cmallory', 'Cstranger', 'Cmeter');
  const dac = await f.call('POST', '/cse-in/Cowner', {
    from: 'Cowner',
    ty: 34,
    body: { 'm2m:dac': { rn: 'consult', dae: true, dap: [das.url] } },
  });
  expect(dac.rsc, JSON.stringify(dac.body)).toBe(2001);
  const owner = await f.acp('owner-only', [{ acor: ['Cowner'], acop: 63 }]);
  await f.container('guarded', { acpi: [owner], daci: [dac.body['m2m:dac'].ri] });
  guarded = '/cse-in/Cowner/guarded';
});
afterAll(async () => {
  await cse?.stop();
  das?.stop();
});

const consultationsOf = (or: string) => das.consultations().filter((c) => c.dreq.or === or);
/** The DAS logs a consultation after answering it, so its line may reach us a little after the CSE's answer. */
async function consultedBy(or: string, n = 1) {
  const deadline = Date.now() + 5000;
  while (consultationsOf(or).length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return consultationsOf(or);
}

describe('Direct Dynamic Authorization with the reference DAS', () => {
  it('a DENY is sent to the DAS as NOTIFY sit=1; its grant (sit=2 dynamicACPInfo) admits the request', async () => {
    const r = await f.call('GET', guarded, { from: 'Cguest' });
    expect(r.rsc, JSON.stringify(r.body)).toBe(2000);
    const [c] = await consultedBy('//m2msec.org/id-in/Cguest');
    expect(c).toMatchObject({ rule: 'guest-read', granted: { policy: true, tokens: 0 } });
    expect(c!.dreq).toMatchObject({ op: 2, trt: 3, oip: { ip4: '127.0.0.1' } });
    expect(c!.dreq.trid).toMatch(/^\/id-in\/cnt/);
    // The dynamic policy applies to the next request without consulting again.
    expect((await f.call('GET', guarded, { from: 'Cguest' })).rsc).toBe(2000);
    expect(consultationsOf('//m2msec.org/id-in/Cguest')).toHaveLength(1);
    // It grants RETRIEVE only.
    expect((await f.call('PUT', guarded, { from: 'Cguest', body: { 'm2m:cnt': { lbl: ['x'] } } })).rsc).toBe(4103);
  });

  it('a DAS refusal, or no rule for the originator, ends in 4103', async () => {
    expect((await f.call('GET', guarded, { from: 'Cmallory' })).rsc).toBe(4103);
    expect(await consultedBy('//m2msec.org/id-in/Cmallory')).toMatchObject([
      { rule: 'no-mallory', granted: { policy: false, tokens: 0 } },
    ]);
    expect((await f.call('GET', guarded, { from: 'Cstranger' })).rsc).toBe(4103);
    expect(await consultedBy('//m2msec.org/id-in/Cstranger')).toMatchObject([{ rule: null }]);
  });

  it('a DAS token (sit=2 tokens) is verified, cached for its holder and reported in X-M2M-ATI', async () => {
    const r = await f.call('GET', guarded, { from: 'Cmeter' });
    expect(r.rsc, JSON.stringify(r.body)).toBe(2000);
    expect(r.headers.get('X-M2M-ATI')).toMatch(/^lt[A-Za-z0-9_-]+:das[0-9a-f]+@das\.m2msec\.org$/);
    expect((await f.call('GET', guarded, { from: 'Cmeter' })).rsc).toBe(2000);
    expect(await consultedBy('//m2msec.org/id-in/Cmeter')).toHaveLength(1);
  });

  it('the granted privileges end with their lifetime', async () => {
    // Stop consulting so that only the dynamic policy created by the first test can admit Cguest.
    const before = consultationsOf('//m2msec.org/id-in/Cguest').length;
    const off = await f.call('PUT', '/cse-in/Cowner/consult', { from: 'Cowner', body: { 'm2m:dac': { dae: false } } });
    expect(off.rsc).toBe(2004);
    // Within its lifetime (6 s from the first test) the grant still admits, without a consultation.
    expect((await f.call('GET', guarded, { from: 'Cguest' })).rsc).toBe(2000);
    const deadline = Date.now() + 20_000;
    let rsc = 2000;
    while (rsc === 2000 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      rsc = (await f.call('GET', guarded, { from: 'Cguest' })).rsc;
    }
    expect(rsc).toBe(4103);
    expect(consultationsOf('//m2msec.org/id-in/Cguest')).toHaveLength(before);
  });

  it('a resource without daci is not consulted on; an unreachable DAS fails closed', async () => {
    await f.container('plain');
    expect((await f.call('GET', '/cse-in/Cowner/plain', { from: 'Cguest' })).rsc).toBe(4103);
    const dead = await f.call('POST', '/cse-in/Cowner', {
      from: 'Cowner',
      ty: 34,
      body: { 'm2m:dac': { rn: 'dead', dae: true, dap: [`http://127.0.0.1:${await freePort()}/das`] } },
    });
    expect(dead.rsc).toBe(2001);
    await f.container('dead-das', { daci: [dead.body['m2m:dac'].ri] });
    expect((await f.call('GET', '/cse-in/Cowner/dead-das', { from: 'Cstranger' })).rsc).toBe(4103);
  });
});
