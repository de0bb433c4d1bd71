// Attack family: XML attacks on DSKPP (RFC 6063 over the MEF's TLS-PSK listener, TS-0003 8.3.2.1). An
// enrolee holding a valid MEF Handshake credential posts DSKPP documents carrying an external entity
// (file:///etc/passwd, XXE), an external DTD on a server of this test (out-of-band XXE), nested entity
// expansion (billion laughs), a parameter entity and an XInclude. The MEF process must answer each
// quickly with a DSKPP MalformedRequest status (DSKPP errors travel in HTTP 200, RFC 6063 4.2.x), never
// read or fetch anything, and keep serving: a well-formed hello afterwards still gets a DSKPP answer.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mefHandshakeOptions } from '@m2msec/rspf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEF_FQDN, type MefNode, startMef } from '../../src/nodes/mef.js';

const kpm = randomBytes(32);
const client = { clientId: 'C-XML-1', ac: randomBytes(20), sharedKey: randomBytes(16) };
let mef: MefNode;
let dtdServer: Server;
let dtdUrl: string;
let dtdFetches = 0;
let tls: Awaited<ReturnType<typeof mefHandshakeOptions>>;

const NS = 'urn:ietf:params:xml:ns:keyprov:dskpp';
const hello = (inner = '') =>
  `<dskpp:KeyProvClientHello xmlns:dskpp="${NS}" xmlns:pkc="urn:ietf:params:xml:ns:keyprov:pskc" Version="1.0"><dskpp:DeviceIdentifierData><dskpp:DeviceId><pkc:Manufacturer>iana.32473${inner}</pkc:Manufacturer><pkc:SerialNo>SN-1</pkc:SerialNo></dskpp:DeviceId></dskpp:DeviceIdentifierData><dskpp:SupportedKeyTypes><dskpp:Algorithm>urn:ietf:params:xml:ns:keyprov:pskc:hotp</dskpp:Algorithm></dskpp:SupportedKeyTypes><dskpp:SupportedEncryptionAlgorithms><dskpp:Algorithm>http://www.w3.org/2001/04/xmlenc#kw-aes128</dskpp:Algorithm></dskpp:SupportedEncryptionAlgorithms><dskpp:SupportedMacAlgorithms><dskpp:Algorithm>http://www.ietf.org/keyprov/dskpp#dskpp-prf-aes</dskpp:Algorithm></dskpp:SupportedMacAlgorithms><dskpp:SupportedProtocolVariants><dskpp:TwoPass><dskpp:SupportedKeyProtectionMethod>urn:ietf:params:xml:schema:keyprov:dskpp#wrap</dskpp:SupportedKeyProtectionMethod></dskpp:TwoPass></dskpp:SupportedProtocolVariants></dskpp:KeyProvClientHello>`;

function post(xml: string): Promise<{ status: number; body: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(`${mef.urls.psk}/dskpp`, {
      ...tls,
      agent: false,
      method: 'POST',
      headers: { 'content-type': 'application/dskpp+xml' },
      timeout: 15_000,
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, ms: Date.now() - t0 }));
    });
    req.end(xml);
  });
}

beforeAll(async () => {
  dtdServer = createServer((_req, res) => {
    dtdFetches++;
    res.writeHead(200, { 'content-type': 'application/xml-dtd' }).end('<!ENTITY oob "fetched">');
  });
  await new Promise<void>((r) => dtdServer.listen(0, '127.0.0.1', r));
  dtdUrl = `http://127.0.0.1:${(dtdServer.address() as AddressInfo).port}/evil.dtd`;
  mef = await startMef({
    config: {
      dskpp: {
        clients: [
          {
            clientId: client.clientId,
            authenticationCodeHex: client.ac.toString('hex'),
            sharedKeyName: 'Kshared-XML-1',
            sharedKeyHex: client.sharedKey.toString('hex'),
            device: { manufacturer: 'iana.32473', serialNo: 'SN-1' },
          },
        ],
      },
    },
  });
  const put = await mef.admin('PUT', '/admin/enrolees/psk/kpm-xml', {
    kpm: kpm.toString('hex'),
    enroleeId: 'Cxml',
    targets: [],
    enrolmentExpirySeconds: 3600,
  });
  expect(put.status).toBeLessThan(300);
  tls = await mefHandshakeOptions({ kind: 'psk', kpmId: 'kpm-xml', kpm }, MEF_FQDN);
});
afterAll(async () => {
  await mef?.stop();
  dtdServer?.close();
});

const laughs = [
  '<!ENTITY lol "lol">',
  ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
].join('');

const attacks: Array<[string, () => string]> = [
  [
    'external entity (file:///etc/passwd)',
    () => `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${hello('&xxe;')}`,
  ],
  [
    'external DTD on a server (out-of-band XXE)',
    () => `<?xml version="1.0"?><!DOCTYPE x SYSTEM "${dtdUrl}">${hello('&oob;')}`,
  ],
  [
    'parameter entity fetching a DTD',
    () => `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "${dtdUrl}"> %p;]>${hello()}`,
  ],
  ['billion laughs (10^9 expansion)', () => `<?xml version="1.0"?><!DOCTYPE x [${laughs}]>${hello('&lol9;')}`],
  ['lower-case doctype', () => `<?xml version="1.0"?><!doctype x [<!entity e "e">]>${hello('&e;')}`],
  [
    'XInclude of a local file',
    () => hello('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'),
  ],
];

describe('XXE and entity expansion at the MEF DSKPP endpoint', () => {
  for (const [name, doc] of attacks) {
    it(`${name}: a DSKPP MalformedRequest, fast, nothing read or fetched`, async () => {
      const r = await post(doc());
      expect(r.status).toBe(200);
      expect(r.body).toMatch(/Status="MalformedRequest"|<dskpp:Status>MalformedRequest/);
      expect(r.body).not.toMatch(/root:|fetched|lollol/);
      expect(r.ms).toBeLessThan(5_000);
      expect(dtdFetches).toBe(0);
    });
  }

  it('the MEF still serves: a well-formed hello gets a DSKPP answer other than MalformedRequest', async () => {
    const r = await post(`<?xml version="1.0"?>${hello()}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/KeyProvServer/);
    expect(r.body).not.toMatch(/MalformedRequest/);
  });
});
