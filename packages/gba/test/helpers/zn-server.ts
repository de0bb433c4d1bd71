// The Zn router on an HTTPS listener that asks for (but does not demand) NAF client certificates, so
// either NAF authentication variant can be used; and on a plain HTTP listener to show it is refused there.
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { httpEdge } from '@m2msec/binding-http';
import {
  type Bsf,
  type NafAuthenticator,
  nafClientCertificateAuthenticator,
  nafSharedCredentialAuthenticator,
  znRoutes,
} from '../../src/index.js';
import type { Pem } from './pki.js';

export const NAF_CREDENTIAL = 'in-cse-zn-credential-0123456789abcdef';

export async function startZn(bsf: Bsf, server: Pem, nafCa: string | Buffer) {
  const byCert = nafClientCertificateAuthenticator();
  const byCredential = nafSharedCredentialAuthenticator([
    { nafFqdn: 'in-cse.sp.example.com', credential: NAF_CREDENTIAL },
  ]);
  const authenticate: NafAuthenticator = (req) => byCert(req) ?? byCredential(req);
  const app = httpEdge(znRoutes(bsf, { authenticate }), { prefix: '/zn' });
  const tls = https.createServer(
    { key: server.key, cert: server.cert, ca: [nafCa], requestCert: true, rejectUnauthorized: false },
    app,
  );
  const plain = http.createServer(app);
  tls.listen(0, '127.0.0.1');
  plain.listen(0, '127.0.0.1');
  await Promise.all([once(tls, 'listening'), once(plain, 'listening')]);
  return {
    httpsUrl: `https://127.0.0.1:${(tls.address() as AddressInfo).port}/zn`,
    httpUrl: `http://127.0.0.1:${(plain.address() as AddressInfo).port}/zn`,
    close() {
      for (const s of [tls, plain]) {
        s.closeAllConnections();
        s.close();
      }
    },
  };
}
