// Attack family: spoofed forwarding headers. An access control rule may hold an ipv4 context (acip,
// TS-0003 7.1.5 / TS-0004 accessControlContexts): the peer address it is checked against is the
// transport's (the TLS socket's), never a header the originator writes. With no trusted proxy
// configured (http.trustedProxies: [], the default) X-Forwarded-For, Forwarded, X-Real-IP and
// X-Client-IP naming a permitted address must not turn a denial into a grant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecureTarget, startSecureTarget } from '../../src/nodes/secure-in-cse.js';

let t: SecureTarget;

async function protectedBy(rn: string, acip: string[]): Promise<string> {
  const acp = await t.as('Cowner', 'POST', '/cse-in/Cowner', {
    ty: 1,
    body: {
      'm2m:acp': {
        rn: `${rn}-acp`,
        pv: { acr: [{ acor: ['Creader'], acop: 2, acco: [{ acip: { ipv4: acip } }] }] },
        pvs: { acr: [{ acor: ['Cowner'], acop: 63 }] },
      },
    },
  });
  expect(acp.rsc).toBe(2001);
  const cnt = await t.as('Cowner', 'POST', '/cse-in/Cowner', {
    ty: 3,
    body: { 'm2m:cnt': { rn, acpi: [acp.body['m2m:acp'].ri] } },
  });
  expect(cnt.rsc).toBe(2001);
  return `/cse-in/Cowner/${rn}`;
}

let remote: string;
let local: string;
beforeAll(async () => {
  t = await startSecureTarget({ aes: ['Cowner', 'Creader'] });
  remote = await protectedBy('remote-only', ['10.9.9.9/32']);
  local = await protectedBy('loopback-only', ['127.0.0.1/32']);
});
afterAll(async () => t?.stop());

const spoofs: Array<[string, Record<string, string>]> = [
  ['X-Forwarded-For', { 'X-Forwarded-For': '10.9.9.9' }],
  ['X-Forwarded-For chain', { 'X-Forwarded-For': '10.9.9.9, 127.0.0.1' }],
  ['Forwarded', { Forwarded: 'for=10.9.9.9;proto=https' }],
  ['X-Real-IP', { 'X-Real-IP': '10.9.9.9' }],
  ['X-Client-IP', { 'X-Client-IP': '10.9.9.9' }],
  ['all at once', { 'X-Forwarded-For': '10.9.9.9', Forwarded: 'for=10.9.9.9', 'X-Real-IP': '10.9.9.9' }],
];

describe('spoofed forwarding headers and the ipv4 access control context', () => {
  it('control: the context grants from the real peer address and denies from elsewhere', async () => {
    expect((await t.as('Creader', 'GET', local)).rsc).toBe(2000);
    expect((await t.as('Creader', 'GET', remote)).rsc).toBe(4103);
  });

  for (const [name, headers] of spoofs) {
    it(`${name} naming the permitted address does not grant (4103)`, async () => {
      expect((await t.as('Creader', 'GET', remote, { headers })).rsc).toBe(4103);
    });
  }

  it('a header naming some other address does not deny what the real peer address grants', async () => {
    const r = await t.as('Creader', 'GET', local, {
      headers: { 'X-Forwarded-For': '10.1.1.1', 'X-Real-IP': '10.1.1.1' },
    });
    expect(r.rsc).toBe(2000);
  });
});
