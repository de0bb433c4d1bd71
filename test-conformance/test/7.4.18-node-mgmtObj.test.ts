// TS-0004 7.4.18 <node> and 7.4.15 <mgmtObj> (Annex D specializations) over HTTP.
import { expect } from 'vitest';
import { clause, conformance } from '../src/harness.js';

conformance('7.4.18 <node>, 7.4.15 <mgmtObj>', {}, (cse) => {
  clause('7.4.18.2.1', '<node> and a [battery] <mgmtObj> (m2m:bat) are created, read and updated', async () => {
    const node = await cse().req('POST', '/cse-in', {
      ty: 14,
      body: { 'm2m:nod': { rn: 'gw', ni: 'urn:gsma:imei:90420156-025763-0' } },
    });
    expect(node.rsc, JSON.stringify(node.body)).toBe(2001);
    const bat = await cse().req('POST', '/cse-in/gw', {
      ty: 13,
      body: { 'm2m:bat': { rn: 'battery', mgd: 1006, btl: 90, bts: 2 } },
    });
    expect(bat.rsc, JSON.stringify(bat.body)).toBe(2001);
    expect(bat.body['m2m:bat']).toMatchObject({ ty: 13, mgd: 1006, btl: 90 });
    const up = await cse().req('PUT', '/cse-in/gw/battery', { body: { 'm2m:bat': { btl: 80 } } });
    expect(up.rsc).toBe(2004);
    expect((await cse().req('GET', '/cse-in/gw/battery')).body['m2m:bat'].btl).toBe(80);
  });

  clause('7.4.15.2.1', "a <mgmtObj> with another specialization's mgd, or a generic one, gets 4000", async () => {
    await cse().req('POST', '/cse-in', { ty: 14, body: { 'm2m:nod': { rn: 'gw2', ni: 'urn:x:2' } } });
    const wrong = await cse().req('POST', '/cse-in/gw2', {
      ty: 13,
      body: { 'm2m:bat': { mgd: 1007, btl: 1, bts: 1 } },
    });
    expect(wrong.rsc).toBe(4000);
    const generic = await cse().req('POST', '/cse-in/gw2', { ty: 13, body: { 'm2m:mgo': { mgd: 0 } } });
    expect(generic.rsc).toBe(4000);
  });

  clause('7.4.15.2.1', 'a <mgmtObj> outside a <node> gets 4108', async () => {
    const r = await cse().req('POST', '/cse-in', { ty: 13, body: { 'm2m:bat': { mgd: 1006, btl: 1, bts: 1 } } });
    expect(r.rsc).toBe(4108);
  });
});
