// The IN-CSE operator's part of scenario (a): an ACP that lets the MN-CSE's device write and Cae2
// read, and the container it governs. Idempotent (4105 on a second run is fine). The operator is an
// administrator principal (docs/administration.md): it acts over the certificate listener with the
// administrator certificate, never with a bare From on the plain listener.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

const base = new URL(process.env.IN_CSE_URL ?? 'https://in-cse:8443');
const pki = process.env.PKI ?? '/pki';
const tls = {
  ca: readFileSync(join(pki, 'ca.pem')),
  cert: readFileSync(join(pki, 'admin.pem')),
  key: readFileSync(join(pki, 'admin.key')),
  servername: process.env.IN_CSE_SERVERNAME ?? 'id-in.m2msec.org',
};
let n = 0;

function post(ty, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      {
        ...tls,
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: '/cse-in',
        headers: {
          'X-M2M-Origin': 'CAdmin',
          'X-M2M-RI': `setup-${++n}`,
          'X-M2M-RVI': '3',
          'Content-Type': `application/json;ty=${ty}`,
          'Content-Length': Buffer.byteLength(data),
        },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ rsc: Number(res.headers['x-m2m-rsc']), text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

async function create(ty, body) {
  for (let attempt = 0; ; attempt++) {
    try {
      const { rsc, text } = await post(ty, body);
      if (rsc !== 2001 && rsc !== 4105) throw new Error(`answered ${rsc}: ${text}`);
      console.log(`created ${Object.keys(body)[0]} (${rsc})`);
      return;
    } catch (e) {
      if (attempt > 60) throw e;
      await new Promise((res) => setTimeout(res, 1000));
    }
  }
}
await create(1, {
  'm2m:acp': {
    rn: 'acpData',
    pv: {
      acr: [
        { acor: ['/id-mn/Cae1'], acop: 3 },
        { acor: ['/id-in/Cae2'], acop: 2 },
      ],
    },
    pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
  },
});
await create(3, { 'm2m:cnt': { rn: 'data', mni: 100, acpi: ['cse-in/acpData'] } });
