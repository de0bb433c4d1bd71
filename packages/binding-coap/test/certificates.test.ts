// Certificate-based mode over CoAP/DTLS with libcoap's client: mutual ECDHE-ECDSA authentication, the
// client certificate's SAN (the AE-ID it binds, TS-0003 8.2.2.2) in the transport context; a client
// certificate from another CA is refused in the handshake.
import type { TransportContext } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type Pki } from '../../dtls/test/pki.js';
import { type CoapBinding, createCoapBinding } from '../src/index.js';
import { coapClient, oneM2mArgs } from './coap-client.js';

let pki: Pki;
let binding: CoapBinding;
let port: number;
const seen: TransportContext[] = [];

beforeAll(async () => {
  pki = makePki('URI:/m2msec-in/CAE-sensor1');
  binding = createCoapBinding({
    host: '127.0.0.1',
    port: 0,
    responseOptions: 'coap-only',
    certificate: {
      certPem: pki.serverCertPem,
      keyPem: pki.serverKeyPem,
      caPem: pki.caPem,
      requestCert: true,
      requireCert: true,
    },
    handler: async (req, transport) => {
      seen.push(transport);
      return { rsc: 2000, rqi: req.rqi, pc: { 'm2m:cb': { rn: 'cse-in' } } };
    },
  });
  port = (await binding.listen()).port;
});
afterAll(() => binding.close());

describe('DTLS with certificates and coap-client-openssl', () => {
  it('connects with a CA-issued client certificate; its SAN reaches the transport context', async () => {
    const r = await coapClient([
      '-c',
      pki.files.clientCert,
      '-j',
      pki.files.clientKey,
      '-C',
      pki.files.ca,
      ...oneM2mArgs({ fr: 'CAE-sensor1', rqi: 'c-1' }),
      `coaps://127.0.0.1:${port}/cse-in`,
    ]);
    expect(r.stdout.toString(), r.stderr).toContain('cse-in');
    const t = seen.at(-1)!;
    expect(t.tls?.peerCertificate?.subjectAltNames).toEqual(['URI:/m2msec-in/CAE-sensor1']);
    expect(t.tls?.pskIdentity).toBeUndefined();
  });

  it('refuses a client certificate from another CA', async () => {
    const before = seen.length;
    const r = await coapClient(
      [
        '-c',
        pki.files.rogueCert,
        '-j',
        pki.files.rogueKey,
        '-C',
        pki.files.ca,
        ...oneM2mArgs({ fr: 'CAE-sensor1', rqi: 'c-2' }),
        `coaps://127.0.0.1:${port}/cse-in`,
      ],
      5000,
    );
    expect(r.stdout.toString()).not.toContain('cse-in');
    expect(seen.length).toBe(before);
  });
});
