// The protected-read cache through the IN-CSE process (docs/performance.md "Protected-read caches"): every
// request below is preceded by the same request answered from a warm cache, so a change that did not drop
// the cached policy, target, parent or originator would be answered from the stale copy. On SQLite the
// cache is installed; with M2MSEC_TEST_STORE=postgres the same requests run on rows (no cache there).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startAuthorizationCse } from './authorization-helpers.js';
import type { InCseProcess } from './harness.js';

let cse: InCseProcess;
let f: ReturnType<typeof fixture>;

beforeAll(async () => {
  cse = await startAuthorizationCse({ cse: { allowCseWithoutAssociation: true } });
  f = fixture(cse);
  await f.register('Cowner', 'Creader', 'Cother', 'Cleaving');
});
afterAll(async () => {
  await cse?.stop();
});

/** The owner keeps every right under each policy (it creates the instances). */
const OWNER = { acor: ['Cowner'], acop: 63 };
const get = (path: string, from: string) => f.call('GET', path, { from });
/** The same GET twice: the second is answered with every read it needs already cached. */
async function warm(path: string, from: string) {
  await get(path, from);
  return get(path, from);
}
async function instance(container: string, con: string) {
  const r = await f.call('POST', container, { from: 'Cowner', ty: 4, body: { 'm2m:cin': { con } } });
  if (r.rsc !== 2001) throw new Error(`cin: ${r.rsc} ${JSON.stringify(r.body)}`);
}

describe('protected GET la: cached decision inputs are dropped by the writes that change them', () => {
  it('ACP update: the next GET is refused', async () => {
    const acp = await f.acp('upd-acp', [{ acor: ['Creader'], acop: 2 }, OWNER]);
    await f.container('upd', { acpi: [acp] });
    await instance('/cse-in/Cowner/upd', 'v1');
    expect((await warm('/cse-in/Cowner/upd/la', 'Creader')).rsc).toBe(2000);
    const u = await f.call('PUT', '/cse-in/Cowner/upd-acp', {
      from: 'Cowner',
      body: { 'm2m:acp': { pv: { acr: [{ acor: ['Cother'], acop: 2 }, OWNER] } } },
    });
    expect(u.rsc).toBe(2004);
    expect((await get('/cse-in/Cowner/upd/la', 'Creader')).rsc).toBe(4103);
    expect((await get('/cse-in/Cowner/upd/la', 'Cother')).rsc).toBe(2000);
  });

  it('ACP delete: the next GET is no longer granted by it', async () => {
    const acp = await f.acp('del-acp', [{ acor: ['Creader'], acop: 2 }, OWNER]);
    await f.container('del', { acpi: [acp] });
    await instance('/cse-in/Cowner/del', 'v1');
    expect((await warm('/cse-in/Cowner/del/la', 'Creader')).rsc).toBe(2000);
    expect((await f.call('DELETE', '/cse-in/Cowner/del-acp', { from: 'Cowner' })).rsc).toBe(2002);
    expect((await get('/cse-in/Cowner/del/la', 'Creader')).rsc).toBe(4103);
  });

  it('acpi change: the next GET is decided by the new policy', async () => {
    const open = await f.acp('acpi-open', [{ acor: ['Creader'], acop: 2 }, OWNER]);
    const closed = await f.acp('acpi-closed', [{ acor: ['Cother'], acop: 2 }, OWNER]);
    await f.container('relinked', { acpi: [open] });
    await instance('/cse-in/Cowner/relinked', 'v1');
    expect((await warm('/cse-in/Cowner/relinked/la', 'Creader')).rsc).toBe(2000);
    const u = await f.call('PUT', '/cse-in/Cowner/relinked', {
      from: 'Cowner',
      body: { 'm2m:cnt': { acpi: [closed] } },
    });
    expect(u.rsc).toBe(2004);
    expect((await get('/cse-in/Cowner/relinked/la', 'Creader')).rsc).toBe(4103);
  });

  it('a new instance: la answers it, not the cached one', async () => {
    const acp = await f.acp('new-acp', [{ acor: ['Creader'], acop: 2 }, OWNER]);
    await f.container('fresh', { acpi: [acp] });
    await instance('/cse-in/Cowner/fresh', 'v1');
    expect((await warm('/cse-in/Cowner/fresh/la', 'Creader')).body['m2m:cin'].con).toBe('v1');
    await instance('/cse-in/Cowner/fresh', 'v2');
    expect((await get('/cse-in/Cowner/fresh/la', 'Creader')).body['m2m:cin'].con).toBe('v2');
  });

  it('delete + re-create under the same name: no stale answer, the old resourceID is gone', async () => {
    const open = await f.acp('same-open', [{ acor: ['Creader'], acop: 2 }, OWNER]);
    const closed = await f.acp('same-closed', [{ acor: ['Cother'], acop: 2 }, OWNER]);
    const oldRi = await f.container('same', { acpi: [open] });
    await instance('/cse-in/Cowner/same', 'old');
    expect((await warm('/cse-in/Cowner/same/la', 'Creader')).body['m2m:cin'].con).toBe('old');
    expect((await warm(`/${oldRi}`, 'Creader')).rsc).toBe(2000);
    expect((await f.call('DELETE', '/cse-in/Cowner/same', { from: 'Cowner' })).rsc).toBe(2002);
    expect((await get(`/${oldRi}`, 'Creader')).rsc).toBe(4004);
    expect((await get('/cse-in/Cowner/same/la', 'Creader')).rsc).toBe(4004);
    const newRi = await f.container('same', { acpi: [open] });
    expect(newRi).not.toBe(oldRi);
    expect((await get('/cse-in/Cowner/same/la', 'Creader')).rsc).toBe(4004); // no instance yet
    await instance('/cse-in/Cowner/same', 'new');
    expect((await get('/cse-in/Cowner/same/la', 'Creader')).body['m2m:cin'].con).toBe('new');
    expect((await get('/cse-in/Cowner/same', 'Creader')).body['m2m:cnt'].ri).toBe(newRi);
    // and re-created under another policy: refused, though the path was cached as granted
    expect((await f.call('DELETE', '/cse-in/Cowner/same', { from: 'Cowner' })).rsc).toBe(2002);
    await f.container('same', { acpi: [closed] });
    expect((await get('/cse-in/Cowner/same', 'Creader')).rsc).toBe(4103);
  });

  it('AE deregistration: its originator is no longer a registered AE on the next request', async () => {
    const acp = await f.acp('leave-acp', [{ acor: ['Cleaving'], acop: 2 }, OWNER]);
    await f.container('leave', { acpi: [acp] });
    await instance('/cse-in/Cowner/leave', 'v1');
    expect((await warm('/cse-in/Cowner/leave/la', 'Cleaving')).rsc).toBe(2000);
    expect((await f.call('DELETE', '/cse-in/Cleaving', { from: 'Cleaving' })).rsc).toBe(2002);
    const after = await get('/cse-in/Cowner/leave/la', 'Cleaving');
    expect(after.rsc).not.toBe(2000);
    expect([4103, 4106, 4000]).toContain(after.rsc);
  });
});
