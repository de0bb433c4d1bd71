// Two MAF instances (own SE each, same KEK) over one PostgreSQL schema, as behind a load balancer: a Km
// provisioned at one serves handshakes at the other after its directory reloads; a key registered at
// one is retrieved at the other; a registration at one is refused a second exporter key at the other.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MafClient } from '../src/index.js';
import { kmCredentialId } from '../src/store/maf-store.js';
import { ADMIN_FQDN, inMinutes, MAF_FQDN, PG_URL, startTestMaf, type TestMaf } from './helpers.js';

const schema = `maf_test_${process.pid}_${randomBytes(3).toString('hex')}`;
const kek = randomBytes(32);
let one: TestMaf;
let two: TestMaf;

beforeAll(async () => {
  one = await startTestMaf({ postgresSchema: schema, kek });
  two = await startTestMaf({ postgresSchema: schema, kek });
}, 60_000);
afterAll(async () => {
  await one?.close();
  await two?.close();
  spawnSync('psql', [PG_URL, '-q', '-c', `DROP SCHEMA IF EXISTS "${schema}" CASCADE`], { timeout: 30_000 });
});

describe('MAF on PostgreSQL, two instances', () => {
  it('register at one instance, retrieve at the other', async () => {
    const a = await one.client('//m2msec.org/id-in/Cpg');
    const b = await one.client('//m2msec.org/id-in');
    // Instance two learns the Km provisioned at instance one on its next directory reload (a miss triggers it).
    await two.maf.store.reloadKm();
    const atTwo = (c: typeof a) =>
      new MafClient({
        mafUrl: two.maf.urls.psk!,
        mafFqdn: MAF_FQDN,
        credential: { kind: 'psk', identity: c.kmId, key: c.km },
      });
    await a.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(30) });
    const k = await a.registerKey({
      adminFQDN: ADMIN_FQDN,
      expirationTime: inMinutes(10),
      suid: 32,
      targetIDs: ['//m2msec.org/id-in'],
    });
    const got = await atTwo(b).retrieveKey(k.keyIdentifier);
    expect(got.keyValue.equals(k.connectionKey!.kc)).toBe(true);
    // The registration made at one counts at two.
    const k2 = await atTwo(a).registerKey({
      adminFQDN: ADMIN_FQDN,
      expirationTime: inMinutes(10),
      suid: 32,
      targetIDs: ['//m2msec.org/id-in'],
    });
    expect((await b.retrieveKey(k2.relativeKeyID)).keyValue.equals(k2.connectionKey!.kc)).toBe(true);
    await atTwo(a).deregisterKey(k.keyIdentifier);
    await expect(b.retrieveKey(k.keyIdentifier)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('MAF replicas: Km changes reach every instance', () => {
  it('a Km deleted at one instance stops opening handshakes at the other (no miss needed)', async () => {
    const c = await one.client('//m2msec.org/id-in/Cgone');
    await two.maf.store.reloadKm();
    expect(two.maf.store.kmLookup(c.kmId)).toBeDefined();
    expect(await one.maf.store.deleteCredential(kmCredentialId(c.kmId))).toBe(true);
    const end = Date.now() + 5000;
    while (two.maf.store.kmLookup(c.kmId) !== undefined && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(two.maf.store.kmLookup(c.kmId)).toBeUndefined();
    const atTwo = new MafClient({
      mafUrl: two.maf.urls.psk!,
      mafFqdn: MAF_FQDN,
      credential: { kind: 'psk', identity: c.kmId, key: c.km },
    });
    await expect(atTwo.registerClient({ adminFQDN: ADMIN_FQDN, expirationTime: inMinutes(30) })).rejects.toThrow();
  });

  it('a Km provisioned at one instance is offered by the other without waiting for a miss', async () => {
    const c = await one.client('//m2msec.org/id-in/Cnew');
    const end = Date.now() + 5000;
    while (two.maf.store.kmLookup(c.kmId) === undefined && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(two.maf.store.kmLookup(c.kmId)?.key.equals(c.km)).toBe(true);
  });
});
