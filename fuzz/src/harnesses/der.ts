// X.509 certificates and PKCS#10 CSRs in DER, as a TLS peer or an EST client sends them.
import { EstError, parseCertificate as estParseCertificate, parseCsr } from '@m2msec/est';
import { SaefError, parseCertificate as saefParseCertificate } from '@m2msec/saef';
import * as fc from 'fast-check';
import { harness } from '../harness.js';
import { mutatedBytes } from '../mutate.js';
import { pemDer } from '../seeds.js';

const cert = pemDer('cert.pem');
const csr = pemDer('csr.pem');

export const certificateDer = harness({
  name: 'certificate-der',
  parses: 'saef parseCertificate, est parseCertificate (RFC 5280 DER)',
  input: fc.tuple(fc.boolean(), mutatedBytes([cert])),
  run([saef, der]) {
    if (saef) saefParseCertificate(der);
    else estParseCertificate(der);
  },
  refusal: (e) => e instanceof SaefError || e instanceof EstError,
});

export const csrDer = harness({
  name: 'csr-der',
  parses: 'est parseCsr (RFC 2986 DER, TS-0003 10.1 profile)',
  input: mutatedBytes([csr]),
  run(der) {
    parseCsr(der);
  },
  refusal: (e) => e instanceof EstError,
});
