// The protected-read scenario of the GET benches (issue 21): two AEs, an <accessControlPolicy> that lets
// 'Creader' RETRIEVE only, a container linking it and one contentInstance; the reader GETs `la`.
import { type InCseProcess, m2m } from '../test/harness.js';

export const LATEST = '/cse-in/Cbench/data/la';
export const READER_HEADERS = {
  'X-M2M-Origin': 'Creader',
  'X-M2M-RI': 'bench',
  'X-M2M-RVI': '3',
  Accept: 'application/json',
};

/** Creates the scenario on a running IN-CSE; returns the body a GET of `la` answers (checked: 2000). */
export async function setUpProtectedGet(cse: InCseProcess): Promise<unknown> {
  await createProtectedScenario(cse, { registerReader: true });
  const sample = await m2m(cse.url, 'GET', LATEST, { from: 'Creader' });
  if (sample.rsc !== 2000) throw new Error(`bench setup failed: ${sample.rsc}`);
  return sample.body;
}

/**
 * The owner AE, its policy, container and instance over plain HTTP; the reader AE too unless the bench
 * registers it itself (inside a security association).
 */
export async function createProtectedScenario(cse: InCseProcess, o: { registerReader: boolean }): Promise<void> {
  const reg = (from: string) =>
    m2m(cse.url, 'POST', '/cse-in', { from, ty: 2, body: { 'm2m:ae': { api: 'Nbench', rr: false, srv: ['3'] } } });
  await reg('Cbench');
  if (o.registerReader) await reg('Creader');
  const acp = await m2m(cse.url, 'POST', '/cse-in/Cbench', {
    from: 'Cbench',
    ty: 1,
    body: {
      'm2m:acp': {
        rn: 'acp',
        pv: {
          acr: [
            { acor: ['Cbench'], acop: 63 },
            { acor: ['Creader'], acop: 2 },
          ],
        },
        pvs: { acr: [{ acor: ['Cbench'], acop: 63 }] },
      },
    },
  });
  await m2m(cse.url, 'POST', '/cse-in/Cbench', {
    from: 'Cbench',
    ty: 3,
    body: { 'm2m:cnt': { rn: 'data', acpi: [acp.body['m2m:acp'].ri] } },
  });
  await m2m(cse.url, 'POST', '/cse-in/Cbench/data', {
    from: 'Cbench',
    ty: 4,
    body: { 'm2m:cin': { rn: 'reading', con: '21.5', cnf: 'text/plain:0' } },
  });
}
