// The operator's requests to the IN-CSE: oneM2M over the certificate listener with the administrator
// certificate (SAN m2m://m2msec.org/id-in/CAdmin), never a bare From on the plain listener (secure profile).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

let n = 0;

export function adminRequest(l, method, path, body, ty) {
  const tls = {
    ca: readFileSync(join(l.pki, 'ca.pem')),
    cert: readFileSync(join(l.pki, 'admin.pem')),
    key: readFileSync(join(l.pki, 'admin.key')),
    servername: 'id-in.m2msec.org',
  };
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        ...tls,
        host: l.host,
        port: l.ports.inCert,
        method,
        path,
        headers: {
          'X-M2M-Origin': 'CAdmin',
          'X-M2M-RI': `topology-${++n}`,
          'X-M2M-RVI': '3',
          Accept: 'application/json',
          ...(data ? { 'Content-Type': `application/json;ty=${ty}`, 'Content-Length': Buffer.byteLength(data) } : {}),
        },
        timeout: 15_000,
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () =>
          resolve({ rsc: Number(res.headers['x-m2m-rsc']), body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(data);
  });
}

/** The resources the AEs use: cse-in/data governed by an ACP (Cae1 creates and reads, Cae2 reads). Idempotent. */
export async function setUpResources(l) {
  const made = [
    await adminRequest(
      l,
      'POST',
      '/cse-in',
      {
        'm2m:acp': {
          rn: 'acpData',
          pv: {
            acr: [
              { acor: ['/id-in/Cae1'], acop: 3 },
              { acor: ['/id-in/Cae2'], acop: 2 },
            ],
          },
          pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
        },
      },
      1,
    ),
    await adminRequest(l, 'POST', '/cse-in', { 'm2m:cnt': { rn: 'data', mni: 100, acpi: ['cse-in/acpData'] } }, 3),
  ];
  for (const r of made) {
    if (r.rsc !== 2001 && r.rsc !== 4105)
      throw new Error(`setting up cse-in/data answered ${r.rsc}: ${JSON.stringify(r.body)}`);
  }
}
