// Mca over CoAP/DTLS (TS-0008): requests through the coaps RequestSender with the AE's DTLS credential
// (PSK or certificate). Notifications over CoAP are not served yet: an AE on this transport has no poa.
import { CoapsRequestSender } from '@m2msec/binding-coap';
import type { CoapTransportOptions } from '../options.js';
import type { AeTransport } from './types.js';

export function openCoapTransport(o: CoapTransportOptions, timeoutMs: number): AeTransport {
  if (!o.psk && !o.certificate) throw new TypeError('a CoAP AE needs transport.psk or transport.certificate');
  const sender = new CoapsRequestSender({
    timeoutMs,
    dtls: {
      ...(o.psk ? { psk: o.psk } : {}),
      ...(o.certificate
        ? { certificate: { certPem: o.certificate.certPem, keyPem: o.certificate.keyPem }, caPem: o.certificate.caPem }
        : {}),
    },
  });
  return {
    send: (req) => sender.send(o.url, req, { timeoutMs }),
    register: (req) => sender.send(o.url, req, { timeoutMs }),
    async listen() {
      return [];
    },
    async close() {
      sender.close();
    },
  };
}
