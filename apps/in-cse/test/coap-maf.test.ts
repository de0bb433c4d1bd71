// Issue 15 item 3: MAF-based identities on the CoAP listener (TS-0003 8.2.2.3). Entity A registers a key
// at the MAF process for the IN-CSE; the MAF notifies the IN-CSE (Entity B), which retrieves Kc; A then
// opens DTLS-PSK with psk_identity = hexBinary(KcID)@MAF-FQDN and registers as the AE-ID the MAF named
// for it, on its first connection. A wrong Kc, a key registered for another CSE and a deregistered key
// get no DTLS session; the MAF session's AE cannot act as another originator.
import { randomBytes } from 'node:crypto';
import { CoapsRequestSender } from '@m2msec/binding-coap';
import { MafClient } from '@m2msec/maf';
import { Operation } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './harness.js';
import { ADMIN_FQDN, MAF_FQDN, type MafProcess, startMafProcess } from './maf-setup.js';
import { credentialsCli, prepareSecureInCse, type SecureInCse } from './saef-setup.js';

const ID_A = '//m2msec.org/id-in/CmafCoap';
const ID_B = '//m2msec.org/id-in';
const kmA = randomBytes(32);
const kmB = randomBytes(32);
const kmIdA = `entity-a-coap@${MAF_FQDN}`;
const kmIdB = `in-cse@${MAF_FQDN}`;

let maf: MafProcess;
let b: SecureInCse;
let coapUrl: string;
let entityA: MafClient;

beforeAll(async () => {
  maf = await startMafProcess();
  maf.admin(['add-km', '--km-id', kmIdA, '--client-id', ID_A, '--key-file', '-'], kmA.toString('hex'));
  maf.admin(['add-km', '--km-id', kmIdB, '--client-id', ID_B, '--key-file', '-'], kmB.toString('hex'));
  const coapPort = await freePort();
  const prepared = await prepareSecureInCse(
    { maf: { url: maf.pskUrl, fqdn: MAF_FQDN, kmId: kmIdB, adminFQDN: ADMIN_FQDN } },
    {
      coap: { host: '127.0.0.1', port: coapPort },
      registration: {
        appRules: [
          { name: 'maf-clients', applicableCredIDs: ['12-*'], allowedAppIDs: ['Nmaf'], allowedAEs: ['CmafCoap'] },
        ],
      },
    },
  );
  credentialsCli(
    prepared.configPath,
    prepared.dataDir,
    ['add-km', '--id', kmIdB, '--key-file', '-'],
    kmB.toString('hex'),
  );
  b = await prepared.start();
  coapUrl = `coaps://127.0.0.1:${coapPort}`;
  const deadline = Date.now() + 30_000;
  while (!JSON.parse(maf.admin(['list-registrations'])).some((r: { clientId: string }) => r.clientId === ID_B)) {
    if (Date.now() > deadline) throw new Error(`the IN-CSE did not register at the MAF: ${b.cse.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  entityA = new MafClient({
    mafUrl: maf.pskUrl,
    mafFqdn: MAF_FQDN,
    credential: { kind: 'psk', identity: kmIdA, key: kmA },
  });
  await entityA.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: Date.now() + 3_600_000 });
}, 120_000);

afterAll(async () => {
  await b?.cse.stop();
  await maf?.stop();
});

async function registerKey(target = ID_B) {
  const k = await entityA.registerKey({
    adminFQDN: ADMIN_FQDN,
    expirationTime: Date.now() + 600_000,
    suid: 32,
    targetIDs: [target],
  });
  return { k, ck: k.connectionKey! };
}

const sender = (identity: string, key: Buffer) =>
  new CoapsRequestSender({ dtls: { psk: { identity, key }, handshakeTimeoutMs: 1500 } });

const registerAe = (s: CoapsRequestSender, rqi: string) =>
  s.send(coapUrl, {
    op: Operation.CREATE,
    to: 'cse-in',
    fr: 'CmafCoap',
    rqi,
    rvi: '3',
    ty: 2,
    pc: { 'm2m:ae': { rn: 'CmafCoap', api: 'Nmaf', rr: false, srv: ['3'] } },
  });

describe('MAF-based SAEF over CoAP/DTLS-PSK', () => {
  it("A's first DTLS session with the Kc Key Identifier registers it as the AE-ID the MAF named", async () => {
    const { k, ck } = await registerKey();
    expect(k.notifiedTargets).toEqual({ [ID_B]: 'held' });
    expect(ck.keyIdentifier).toMatch(new RegExp(`^[0-9a-f]{32}@${MAF_FQDN.replace(/\./g, '\\.')}$`));
    const s = sender(ck.keyIdentifier, Buffer.from(ck.kc));
    const created = await registerAe(s, 'maf-1');
    expect(created.rsc, JSON.stringify(created.pc)).toBe(2001);
    expect((created.pc as { 'm2m:ae': { aei: string } })['m2m:ae'].aei).toBe('CmafCoap');
    const read = await s.send(coapUrl, {
      op: Operation.RETRIEVE,
      to: 'cse-in/CmafCoap',
      fr: 'CmafCoap',
      rqi: 'maf-2',
      rvi: '3',
    });
    expect(read.rsc).toBe(2000);
    // The MAF session proves CmafCoap, nobody else.
    const other = await s.send(coapUrl, {
      op: Operation.RETRIEVE,
      to: 'cse-in/CmafCoap',
      fr: 'Cother',
      rqi: 'maf-3',
      rvi: '3',
    });
    expect(other.rsc).toBe(4106);
    s.close();
  });

  it('a wrong Kc, a key registered for another CSE, a deregistered key: no DTLS session', async () => {
    const { ck } = await registerKey();
    const wrong = sender(ck.keyIdentifier, randomBytes(32));
    await expect(registerAe(wrong, 'maf-4')).rejects.toMatchObject({ rsc: 5103 });
    wrong.close();
    const elsewhere = await registerKey('//m2msec.org/id-other');
    const e = sender(elsewhere.ck.keyIdentifier, Buffer.from(elsewhere.ck.kc));
    await expect(registerAe(e, 'maf-5')).rejects.toMatchObject({ rsc: 5103 });
    e.close();
    const gone = await registerKey();
    await entityA.deregisterKey(gone.k.keyIdentifier);
    const g = sender(gone.ck.keyIdentifier, Buffer.from(gone.ck.kc));
    await expect(registerAe(g, 'maf-6')).rejects.toMatchObject({ rsc: 5103 });
    g.close();
    expect(b.cse.output()).toMatch(/DTLS-PSK handshake refused/);
  });
});
