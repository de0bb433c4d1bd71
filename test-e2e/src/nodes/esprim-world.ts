// An AE's path through a relay with ESPrim (TS-0003 8.4, 7.2.2; TS-0004 7.6.2) over real sockets: a real
// MN-CSE (createMnCse, plain HTTP for its AEs) registered over the certificate-based SAEF (HTTPS) to an
// IN-CSE composed from the packages, whose Mcc handler is wrapped by withESPrimTarget and whose Cse has
// endToEndAuthenticated. A hook in front of the IN-CSE's Mcc handler sees (and may alter) what the MN-CSE
// sent. Used by test/esprim-relay.test.ts and bench/esprim-relay.ts.
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHttpBinding, HttpRequestSender } from '@m2msec/binding-http';
import { Cse } from '@m2msec/cse';
import { withESCertKETarget } from '@m2msec/escertke';
import {
  ESPrimClient,
  ESPrimOriginator,
  ESPrimReceiver,
  esprimAuthenticated,
  PairwiseESPrimKeys,
  withESPrimTarget,
} from '@m2msec/esprim';
import { createMnCse, type MnCse } from '@m2msec/mn-cse';
import type { RequestHandler, RequestPrimitive } from '@m2msec/protocol';
import { certificateServerOptions } from '@m2msec/saef';
import {
  associationTransportContext,
  certificateAssociationHandler,
  SecurityAssociationRegistry,
} from '@m2msec/security-association';
import { openSqliteStore } from '@m2msec/store';
import { type Issued, TestCa } from '@m2msec/test-support';
import express from 'express';

export const ESPRIM_AE = '/id-mn/Cae1';
const KID = 'ae1-in@mef.m2msec.org';

export interface EsprimWorld {
  inCse: Cse;
  inPlainUrl: string;
  mnUrl: string;
  sender: HttpRequestSender;
  /** What reached the IN-CSE over Mcc, and an optional alteration (a compromised MN-CSE). */
  hop: { seen: RequestPrimitive[]; alter?: (r: RequestPrimitive) => RequestPrimitive; record: boolean };
  /** The AE's ESPrim client: outer NOTIFYs over HTTP to its registrar, to the IN-CSE's <CSEBase>. */
  client(): ESPrimClient;
  /** The test PKI: trust anchor (PEM) and leaf certificates for AEs (ESCertKE initiators). */
  caCert: string;
  issue(san: string): Issued;
  /** The IN-CSE's ESPrim key store (ESCertKE adds the keys it establishes, bound to the AE-ID proved). */
  keys: PairwiseESPrimKeys;
  headersFor(from: string, ty?: number): Record<string, string>;
  post(base: string, path: string, from: string, ty: number, body: unknown): Promise<number>;
  close(): Promise<void>;
}

export async function startEsprimWorld(): Promise<EsprimWorld> {
  const key = randomBytes(32);
  const ca = new TestCa('esprim-e2e');
  const inServer = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  const mnClient = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client' });
  const mnServer = ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'server' });
  const hop: EsprimWorld['hop'] = { seen: [], record: true };

  const inCse = await Cse.open({
    store: await openSqliteStore({ file: ':memory:' }),
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    endToEndAuthenticated: esprimAuthenticated,
    config: { cseId: '/id-in', cseBaseName: 'cse-in', cseType: 1, expirySweepMs: 0 },
  });
  const keys = new PairwiseESPrimKeys();
  keys.add({ kid: KID, key, identity: ESPRIM_AE });
  const bases = new Set(['/id-in/cse-in', '/id-in', 'cse-in']);
  const isCseBase = (to: string) => bases.has(to);
  // ESCertKE (TS-0003 8.7) at the same <CSEBase>: keys it establishes serve ESPrim, bound to the AE-ID the
  // initiator's certificate proves.
  const target = withESCertKETarget(
    withESPrimTarget(inCse.handle, { receiver: new ESPrimReceiver({ keys }), isCseBase }),
    {
      terminating: {
        cert: inServer.cert,
        key: inServer.key,
        ca: ca.cert,
        identityContext: { spId: 'm2msec.org', inCseId: '/id-in' },
        isAuthorizedInitiator: (id) => id.startsWith('/id-mn/'),
      },
      isCseBase,
      onEstablished: (e) => keys.add({ kid: e.kid, key: e.pairwiseE2EKey, identity: e.peer.id }),
    },
  );
  const tamperable: RequestHandler = (raw, t) => {
    const req = raw as RequestPrimitive;
    if (hop.record) hop.seen.push(structuredClone(req));
    return target(hop.alter ? hop.alter(req) : req, t);
  };
  const inPlain = createHttpBinding({
    handler: inCse.handle,
    cseId: '/id-in',
    cseBaseName: 'cse-in',
    spId: 'm2msec.org',
  });
  const inPlainUrl = `http://127.0.0.1:${(await inPlain.listen({ host: '127.0.0.1', port: 0 })).port}`;
  const registry = new SecurityAssociationRegistry({});
  const tlsBinding = createHttpBinding({
    handler: tamperable,
    cseId: '/id-in',
    cseBaseName: 'cse-in',
    spId: 'm2msec.org',
    transportContext: associationTransportContext({ registry, bindings: { boundIdsSync: () => [] } }),
  });
  const app = express();
  app.use(tlsBinding.router);
  const mcc: HttpsServer = createServer(
    certificateServerOptions({ cert: inServer.cert, key: inServer.key, trustAnchors: [ca.cert] }),
    app,
  );
  mcc.on(
    'secureConnection',
    certificateAssociationHandler({ registry, identityContext: { spId: 'm2msec.org', inCseId: '/id-in' } }),
  );
  await new Promise<void>((r) => mcc.listen(0, '127.0.0.1', r));

  const probe = createHttpServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const mccPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const mn: MnCse = await createMnCse({
    cseId: '/id-mn',
    cseBaseName: 'cse-mn',
    spId: 'm2msec.org',
    poa: [`https://127.0.0.1:${mccPort}`],
    registrar: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      url: `https://127.0.0.1:${(mcc.address() as AddressInfo).port}`,
      framework: {
        kind: 'certificate',
        cert: mnClient.cert,
        key: mnClient.key,
        trustAnchors: [ca.cert],
        servername: 'id-in.m2msec.org',
      },
      retryMs: 200,
    },
    mcc: { port: mccPort, cert: mnServer.cert, key: mnServer.key, trustAnchors: [ca.cert] },
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
  });
  const gwApp = express();
  gwApp.use('/onem2m', mn.router);
  const gw: Server = gwApp.listen(0, '127.0.0.1');
  await new Promise((r) => gw.once('listening', r));
  const mnUrl = `http://127.0.0.1:${(gw.address() as AddressInfo).port}/onem2m`;
  await mn.start();
  await mn.whenRegistered(30_000);

  const sender = new HttpRequestSender({ timeoutMs: 10_000 });
  let n = 0;
  const headersFor = (from: string, ty?: number) => ({
    'X-M2M-Origin': from,
    'X-M2M-RI': `t${++n}`,
    'X-M2M-RVI': '3',
    Accept: 'application/json',
    'Content-Type': `application/json${ty ? `;ty=${ty}` : ''}`,
  });
  const post = async (base: string, path: string, from: string, ty: number, body: unknown) => {
    const r = await fetch(base + path, { method: 'POST', headers: headersFor(from, ty), body: JSON.stringify(body) });
    return Number(r.headers.get('X-M2M-RSC'));
  };
  return {
    inCse,
    inPlainUrl,
    mnUrl,
    sender,
    hop,
    headersFor,
    post,
    caCert: ca.cert,
    issue: (san) => ca.issue({ san, usage: 'client' }),
    keys,
    client: () =>
      new ESPrimClient({
        originator: new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: key }),
        send: (req) => sender.send(mnUrl, req, { retarget: true }),
        from: 'Cae1',
        targetCseBase: '/id-in/cse-in',
      }),
    async close() {
      sender.close();
      await mn.stop();
      gw.close();
      mcc.closeAllConnections();
      await new Promise((r) => mcc.close(r));
      await inPlain.close({ graceMs: 100 });
      await inCse.stop();
    },
  };
}
