// Issue 12 items 4 and 5 over HTTP, the IN-CSE (and the reference DAS) as separate processes, on both
// stores: acpi links are checked when made and kept as resourceIDs (TS-0001 Table 9.6.1.3.2-1, TS-0004
// 7.3.3.3 / 7.3.3.4), a reused path grants nothing, and only the linked policies' selfPrivileges (or the
// creator, where acpi has no value) change acpi: never a token, a role or a DAS grant.
import { join } from 'node:path';
import { issueToken, type TokenClaimSet } from '@m2msec/authorization';
import { formatTimestamp } from '@m2msec/protocol';
import { openStore } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DasProcess, fixture, jwkOf, keys, startAuthorizationCse, startDas } from './authorization-helpers.js';
import { pgUrl } from './harness.js';

const config = {
  authorization: { tokenIssuers: [{ id: '/id-in/CDas', keys: [jwkOf(keys.das.publicKey)], algorithms: ['ES256'] }] },
};

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`acpi policy links over HTTP (${store})`, () => {
    let das: DasProcess;
    let cse: Awaited<ReturnType<typeof startAuthorizationCse>>;
    let f: ReturnType<typeof fixture>;

    beforeAll(async () => {
      das = await startDas([
        {
          name: 'other-writes',
          originators: ['/id-in/Cother'],
          operations: [3],
          grant: { acop: 63, lifetimeMs: 60_000, as: 'policy' },
        },
      ]);
      cse = await startAuthorizationCse(config, { store, keepData: true });
      f = fixture(cse);
      await f.register('Cowner', 'Cother', 'Cfriend', 'Cvictim');
    });
    afterAll(async () => {
      await cse?.stop();
      das?.stop();
    });

    const put = (path: string, from: string, cnt: Record<string, unknown>, headers?: Record<string, string>) =>
      f.call('PUT', path, { from, body: { 'm2m:cnt': cnt }, headers });
    const get = (path: string, from: string) => f.call('GET', path, { from });

    it('refuses an entry naming a missing resource or a resource that is no policy with 4000 naming it', async () => {
      const p = await f.acp('p1', [{ acor: ['Cfriend'], acop: 2 }]);
      await f.container('plain');
      for (const bad of ['cse-in/Cowner/missing', 'cse-in/Cowner/plain', 'Cowner']) {
        const c = await f.call('POST', '/cse-in/Cowner', {
          from: 'Cowner',
          ty: 3,
          body: { 'm2m:cnt': { rn: 'x', acpi: [p, bad] } },
        });
        expect(c.rsc, bad).toBe(4000);
        expect(c.body['m2m:dbg']).toBe(
          `accessControlPolicyIDs (acpi) entry 1 '${bad}' does not identify an existing <accessControlPolicy> on this CSE`,
        );
        expect((await get('/cse-in/Cowner/x', 'Cowner')).rsc).toBe(4004);
        expect((await put('/cse-in/Cowner/plain', 'Cowner', { acpi: [bad] })).rsc).toBe(4000);
      }
      const linked = await f.call('POST', '/cse-in/Cowner', {
        from: 'Cowner',
        ty: 3,
        body: { 'm2m:cnt': { rn: 'byName', acpi: ['/id-in/cse-in/Cowner/p1'] } },
      });
      expect(linked.rsc).toBe(2001);
      expect(linked.body['m2m:cnt'].acpi).toEqual([p]); // stored and returned as the resourceID
    });

    it('a deleted policy fails its links closed; a policy recreated at the path grants nothing', async () => {
      await f.acp('shared', [{ acor: ['Cfriend'], acop: 63 }]);
      await f.container('data', { acpi: ['cse-in/Cowner/shared'] });
      expect((await get('/cse-in/Cowner/data', 'Cfriend')).rsc).toBe(2000);
      expect((await f.call('DELETE', '/cse-in/Cowner/shared', { from: 'Cowner' })).rsc).toBe(2002);
      expect((await get('/cse-in/Cowner/data', 'Cfriend')).rsc).toBe(4103);
      expect((await get('/cse-in/Cowner/data', 'Cowner')).rsc).toBe(4103); // no creator default with acpi set
      const again = await f.acp('shared', [{ acor: ['all'], acop: 63 }], [{ acor: ['all'], acop: 63 }]);
      for (const who of ['Cfriend', 'Cother', 'Cowner']) {
        expect((await get('/cse-in/Cowner/data', who)).rsc, who).toBe(4103);
        expect((await put('/cse-in/Cowner/data', who, { acpi: [again] })).rsc, who).toBe(4103);
      }
    });

    it('an AE that takes a freed AE-ID and recreates the policy name controls nothing', async () => {
      const pol = await f.call('POST', '/cse-in/Cvictim', {
        from: 'Cvictim',
        ty: 1,
        body: {
          'm2m:acp': {
            rn: 'pol',
            pv: { acr: [{ acor: ['Cfriend'], acop: 2 }] },
            pvs: { acr: [{ acor: ['Cvictim'], acop: 63 }] },
          },
        },
      });
      expect(pol.rsc).toBe(2001);
      await f.container('victimData', { acpi: ['cse-in/Cvictim/pol'] });
      expect((await get('/cse-in/Cowner/victimData', 'Cfriend')).rsc).toBe(2000);
      expect((await f.call('DELETE', '/cse-in/Cvictim', { from: 'Cvictim' })).rsc).toBe(2002);
      await f.register('Cvictim'); // the attacker registers the freed AE-ID
      const evil = await f.call('POST', '/cse-in/Cvictim', {
        from: 'Cvictim',
        ty: 1,
        body: {
          'm2m:acp': {
            rn: 'pol',
            pv: { acr: [{ acor: ['all'], acop: 63 }] },
            pvs: { acr: [{ acor: ['all'], acop: 63 }] },
          },
        },
      });
      expect(evil.rsc).toBe(2001);
      expect((await get('/cse-in/Cowner/victimData', 'Cvictim')).rsc).toBe(4103);
      expect((await put('/cse-in/Cowner/victimData', 'Cvictim', { lbl: ['mine'] })).rsc).toBe(4103);
      expect((await put('/cse-in/Cowner/victimData', 'Cvictim', { acpi: ['cse-in/Cvictim/pol'] })).rsc).toBe(4103);
    });

    it('a token holder cannot link its own policy, has no access once the token expired; the creator can', async () => {
      await f.container('open');
      const mine = await f.call('POST', '/cse-in/Cother', {
        from: 'Cother',
        ty: 1,
        body: {
          'm2m:acp': {
            rn: 'mine',
            pv: { acr: [{ acor: ['Cother'], acop: 63 }] },
            pvs: { acr: [{ acor: ['Cother'], acop: 63 }] },
          },
        },
      });
      expect(mine.rsc).toBe(2001);
      const mineRi = mine.body['m2m:acp'].ri;
      const claims: TokenClaimSet = {
        tkvr: '1',
        tkid: `t${Math.random().toString(36).slice(2)}@das.m2msec.org`,
        tkis: '/id-in/CDas',
        tkhd: '//m2msec.org/id-in/Cother',
        tknb: '20200101T000000',
        tkna: formatTimestamp(new Date(Date.now() + 3000)),
        tkau: ['//m2msec.org/id-in'],
        tkps: { pm: [{ ris: ['cse-in/Cowner/open'], pv: { acr: [{ acor: ['all'], acop: 63 }] } }] },
      };
      const auth = { Authorization: await issueToken(claims, { signingKey: keys.das.privateKey, alg: 'ES256' }) };
      const used = await put('/cse-in/Cowner/open', 'Cother', { lbl: ['t'] }, auth);
      expect(used.rsc, JSON.stringify(used.body)).toBe(2004);
      const take = await put('/cse-in/Cowner/open', 'Cother', { acpi: [mineRi] }, auth);
      expect(take.rsc).toBe(4103);
      expect(take.body['m2m:dbg']).toContain('only its creator may link them');
      await new Promise((r) => setTimeout(r, 4000));
      expect((await put('/cse-in/Cowner/open', 'Cother', { lbl: ['u'] }, auth)).rsc).toBe(4103);
      expect((await get('/cse-in/Cowner/open', 'Cother')).rsc).toBe(4103);
      expect((await get('/cse-in/Cowner/open', 'Cowner')).rsc).toBe(2000);
      const p = await f.acp('owned', [{ acor: ['Cowner'], acop: 63 }]);
      expect((await put('/cse-in/Cowner/open', 'Cowner', { acpi: [p] })).rsc).toBe(2004);
    });

    it('a DAS grant of UPDATE on a resource without acpi does not let the originator link its own policy', async () => {
      const dac = await f.call('POST', '/cse-in/Cowner', {
        from: 'Cowner',
        ty: 34,
        body: { 'm2m:dac': { rn: 'consult', dae: true, dap: [das.url] } },
      });
      expect(dac.rsc).toBe(2001);
      await f.container('consulted', { daci: [dac.body['m2m:dac'].ri] });
      const mine = await f.call('GET', '/cse-in/Cother/mine', { from: 'Cother' });
      expect(mine.rsc).toBe(2000);
      const upd = await put('/cse-in/Cowner/consulted', 'Cother', { lbl: ['granted'] });
      expect(upd.rsc, JSON.stringify(upd.body)).toBe(2004); // the DAS granted UPDATE
      expect(das.consultations().some((c) => c.rule === 'other-writes')).toBe(true);
      expect((await put('/cse-in/Cowner/consulted', 'Cother', { acpi: [mine.body['m2m:acp'].ri] })).rsc).toBe(4103);
    });

    it('links stored as structured names by an earlier version are translated on restart only when provable', async () => {
      const keep = await f.acp('keep', [{ acor: ['Cfriend'], acop: 2 }]);
      await f.container('legacy', { acpi: [keep] });
      await f.container('hijacked', { acpi: [keep] });
      // Created after 'hijacked' was last modified: were it linked by name, that would be a reused name.
      await f.acp('later', [{ acor: ['all'], acop: 63 }], [{ acor: ['all'], acop: 63 }]);
      await cse.stop();
      // What an earlier version wrote: the names as given, one naming a path free at the time.
      const db = await openStore(
        store === 'sqlite'
          ? { kind: 'sqlite', file: join(cse.dataDir, 'resources.db') }
          : { kind: 'postgres', connectionString: pgUrl, schema: cse.pgSchema! },
      );
      for (const [rn, acpi] of [
        ['legacy', ['cse-in/Cowner/keep']],
        ['hijacked', ['cse-in/Cowner/later']],
      ] as const) {
        const r = (await db.resources.getBySrn(`cse-in/Cowner/${rn}`))!;
        await db.resources.update({ ...r, acpi: [...acpi] });
      }
      await db.collection('cse-migrations').delete('acpi-resource-ids');
      await db.close();
      cse = await startAuthorizationCse(config, { store, dataDir: cse.dataDir, pgSchema: cse.pgSchema });
      f = fixture(cse);
      expect((await get('/cse-in/Cowner/legacy', 'Cfriend')).rsc).toBe(2000);
      expect((await get('/cse-in/Cowner/hijacked', 'Cother')).rsc).toBe(4103);
      expect((await get('/cse-in/Cowner/hijacked', 'Cfriend')).rsc).toBe(4103);
    });
  });
}
