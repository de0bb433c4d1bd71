// The MN-CSE offers AEs the MAF-based SAEF (TS-0003 8.2.2.3, 8.8) as the IN-CSE does (issue 11): an
// MN-CSE composed in-process by createCseNode is Entity B (a MAF client with its own Km and a
// notificationURI), registered to an IN-CSE (createCseNode too) over TLS-PSK; the MAF runs as its own
// process (apps/maf dist) and Entity A is m2msec-maf-client. A's first connection registers its AE at
// the MN-CSE; a key registered for another CSE is refused.
// Needs built dists: pnpm --filter @m2msec/maf-app build.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequestSender } from '@m2msec/binding-http';
import {
  type CseNode,
  type CseNodeConfig,
  createCseNode,
  inCseDefaults,
  openInCseSecureEnvironment,
} from '@m2msec/node';
import { CredentialStore } from '@m2msec/sensitive-data';
import {
  MAF_ADMIN_FQDN as ADMIN_FQDN,
  freePort,
  MAF_FQDN,
  type MafProcess,
  runEntityA,
  startMafProcess,
} from '@m2msec/test-support';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ID_A = '//m2msec.org/id-mn/CmafA';
const ID_B = '//m2msec.org/id-mn';
const kmA = randomBytes(32);
const kmB = randomBytes(32);
const kmIdA = `entity-a@${MAF_FQDN}`;
const kmIdB = `mn-cse@${MAF_FQDN}`;
const mnKpsa = randomBytes(32);
const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};

let maf: MafProcess;
let inCse: CseNode;
let mnCse: CseNode;
const logLines: string[] = [];

async function nodeConfig(cseId: string, cseBaseName: string): Promise<CseNodeConfig> {
  const d = structuredClone(inCseDefaults);
  return {
    ...d,
    cse: { ...d.cse, cseId, cseBaseName, expirySweepMs: 0 },
    dataDir: tmp('m2msec-mn-maf-data-'),
    http: { ...d.http, port: await freePort() },
    security: {
      ...d.security,
      keyFile: join(tmp('m2msec-mn-maf-kek-'), 'kek'),
      derivedKey: false,
      psk: { host: '127.0.0.1', port: await freePort(), tls13: false },
    },
    log: { level: 'silent' },
  };
}

beforeAll(async () => {
  maf = await startMafProcess();
  maf.admin(['add-km', '--km-id', kmIdA, '--client-id', ID_A, '--key-file', '-'], kmA.toString('hex'));
  maf.admin(['add-km', '--km-id', kmIdB, '--client-id', ID_B, '--key-file', '-'], kmB.toString('hex'));

  inCse = await createCseNode(await nodeConfig('/id-in', 'cse-in'), { log: pino({ level: 'silent' }) });
  await inCse.security.credentials.addKey('Kpsa', { credentialId: 'kpsa-mn', owner: 'test', suid: 12 }, mnKpsa);
  inCse.security.kpsa.refresh();
  await inCse.security.bindings.set('12-kpsa-mn', { kind: 'cse', cseId: '/id-mn' });
  await inCse.start();

  const base = await nodeConfig('/id-mn', 'cse-mn');
  const config: CseNodeConfig = {
    ...base,
    // MAF-based SAEF sessions carry the Credential-ID 12-<Key Identifier> (TS-0003 10.4).
    registration: {
      appRules: [{ name: 'maf-clients', applicableCredIDs: ['12-*'], allowedAppIDs: ['Nmaf'], allowedAEs: ['CmafA'] }],
    },
    security: { ...base.security, maf: { url: maf.pskUrl, fqdn: MAF_FQDN, kmId: kmIdB, adminFQDN: ADMIN_FQDN } },
    registrar: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      url: inCse.listeners.psk!.url,
      framework: { kind: 'psk', identity: 'kpsa-mn', key: mnKpsa },
      retryMs: 200,
    },
  };
  // The MN-CSE's own Km at its MAF in its credential store before it starts (as `credentials add-km` does).
  const se = await openInCseSecureEnvironment(config);
  const credentials = await CredentialStore.open({ se });
  await credentials.addKey('Km', { credentialId: kmIdB, owner: 'test', suid: 11 }, kmB);
  credentials.close();
  await se.close();
  const log = pino({ level: 'info' }, { write: (l: string) => void logLines.push(l) });
  mnCse = await createCseNode(config, { log });
  await mnCse.start();
  await mnCse.whenRegistered(30_000);
  // B registers at the MAF in the background at start: wait for its registration (bounded).
  const deadline = Date.now() + 30_000;
  while (!JSON.parse(maf.admin(['list-registrations'])).some((r: { clientId: string }) => r.clientId === ID_B)) {
    if (Date.now() > deadline) throw new Error(`the MN-CSE did not register at the MAF: ${logLines.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);

afterAll(async () => {
  await mnCse?.stop();
  await inCse?.stop();
  await maf?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const entityA = (target = ID_B) =>
  runEntityA(
    [
      '--maf-url',
      maf.pskUrl,
      '--maf-fqdn',
      MAF_FQDN,
      '--km-id',
      kmIdA,
      '--admin-fqdn',
      ADMIN_FQDN,
      '--target',
      target,
      '--cse-url',
      mnCse.listeners.psk!.url,
      '--to',
      'cse-mn',
      '--from',
      'CmafA',
      '--register-ae',
      'Nmaf',
    ],
    kmA,
  );

const step = (r: Awaited<ReturnType<typeof entityA>>, name: string) => r.steps.find((s) => s.step === name);

describe('MN-CSE (createCseNode) as Entity B of the MAF-based SAEF', () => {
  it("A's first connection registers its AE at the MN-CSE over the MAF-based association", async () => {
    const r = await entityA();
    expect(r.code, r.stderr).toBe(0);
    expect(step(r, 'key-registered')!.notifiedTargets).toEqual({ [ID_B]: 'held' });
    const first = step(r, 'first-connection')!;
    expect(first.ok).toBe(true);
    expect(first.rsc).toBe(2001);
    expect(JSON.parse(first.body)['m2m:ae'].aei).toBe('CmafA');
    // The <AE> lives at the MN-CSE, which is registered to the IN-CSE.
    const http = new HttpRequestSender();
    try {
      const got = await http.send(mnCse.listeners.http!.url, {
        op: 2,
        to: 'cse-mn/CmafA',
        fr: 'CAdmin',
        rqi: 'maf-1',
        rvi: '3',
      });
      expect(got.rsc).toBe(2000);
    } finally {
      http.close();
    }
  });

  it('a key registered for another CSE is refused by the MN-CSE', async () => {
    const r = await entityA('//m2msec.org/id-other');
    expect(step(r, 'key-registered')!.notifiedTargets).toEqual({ '//m2msec.org/id-other': 'not-registered' });
    expect(r.code).toBe(3);
    expect(step(r, 'first-connection')!.ok).toBe(false);
    const keyIdentifier = step(r, 'key-registered')!.keyIdentifier as string;
    expect(logLines.some((l) => l.includes('PSK handshake refused') && l.includes(keyIdentifier))).toBe(true);
  });
});
