// An IN-CSE composed in the test process from the packages, as apps/in-cse wires it: plain HTTP for
// its own AEs, a certificate-SAEF HTTPS listener for Mcc, and an outgoing certificate association for
// forwarding down to the MN-CSE (what apps/in-cse does not configure yet).
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHttpBinding, type HttpBinding, HttpRequestSender } from '@m2msec/binding-http';
import { Cse } from '@m2msec/cse';
import { certificateServerOptions, createSaefAgent } from '@m2msec/saef';
import {
  associationTransportContext,
  certificateAssociationHandler,
  SecurityAssociationRegistry,
} from '@m2msec/security-association';
import { openSqliteStore, type Store } from '@m2msec/store';
import type { Issued } from '@m2msec/test-support';
import express from 'express';

export interface TestInCse {
  cse: Cse;
  store: Store;
  url: string;
  mccUrl: string;
  close(): Promise<void>;
}

export async function startTestInCse(o: {
  ca: string;
  server: Issued;
  client: Issued;
  /** SNI / certificate name of the MN-CSE it forwards down to. */
  mnName: string;
}): Promise<TestInCse> {
  const store = await openSqliteStore({ file: ':memory:' });
  const down = new HttpRequestSender({
    httpsAgent: createSaefAgent({
      kind: 'certificate',
      cert: o.client.cert,
      key: o.client.key,
      trustAnchors: [o.ca],
      servername: o.mnName,
    }),
  });
  const cse = await Cse.open({
    store,
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    retargetSenders: [down],
    config: { cseId: '/id-in', cseBaseName: 'cse-in', cseType: 1, expirySweepMs: 0 },
  });
  const plain: HttpBinding = createHttpBinding({
    handler: cse.handle,
    cseId: '/id-in',
    cseBaseName: 'cse-in',
    spId: 'm2msec.org',
  });
  const { port } = await plain.listen({ host: '127.0.0.1', port: 0 });
  const registry = new SecurityAssociationRegistry({});
  const tlsBinding = createHttpBinding({
    handler: cse.handle,
    cseId: '/id-in',
    cseBaseName: 'cse-in',
    spId: 'm2msec.org',
    transportContext: associationTransportContext({ registry, bindings: { boundIdsSync: () => [] } }),
  });
  const app = express();
  app.use(tlsBinding.router);
  const tls: Server = createServer(
    certificateServerOptions({ cert: o.server.cert, key: o.server.key, trustAnchors: [o.ca] }),
    app,
  );
  tls.on(
    'secureConnection',
    certificateAssociationHandler({ registry, identityContext: { spId: 'm2msec.org', inCseId: '/id-in' } }),
  );
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  return {
    cse,
    store,
    url: `http://127.0.0.1:${port}`,
    mccUrl: `https://127.0.0.1:${(tls.address() as AddressInfo).port}`,
    async close() {
      await plain.close({ graceMs: 100 });
      tls.closeAllConnections();
      await new Promise((r) => tls.close(r));
      down.close();
      await cse.stop();
      await store.close();
    },
  };
}
