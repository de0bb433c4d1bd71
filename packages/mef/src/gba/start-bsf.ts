// The MEF as GBA BSF (TS-0003 8.3.2.3: Ke = Ks, KeID = B-TID): the Ub on a device-facing listener
// (plain HTTP allowed: HTTP Digest AKA authenticates both ends, TS 33.220 4.5.2; HTTPS if a certificate
// is given) and the Zn on an HTTPS listener where each Enrolment Target (NAF) proves its NAF FQDN by a
// client certificate (dNSName SANs) or a pre-shared NAF credential. Subscribers, challenges and B-TIDs
// live in the MEF's store, K / OPc / Ks sealed under the MEF's KEK inside its secure environment.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import {
  type Bsf,
  createBsf,
  type NafAuthenticator,
  type NafCredential,
  nafClientCertificateAuthenticator,
  nafSharedCredentialAuthenticator,
  ubRoutes,
  znRoutes,
} from '@m2msec/gba';
import type { HttpEdge } from '@m2msec/protocol';
import type { SecureEnvironment } from '@m2msec/secure-environment';
import type { Store } from '@m2msec/store';
import { MEF_KEK_ID } from '../lib/vault.js';

export interface MefGbaListenOptions {
  host: string;
  /** 0: any free port. */
  port: number;
}

export interface MefGbaOptions {
  /** BSF_servers_domain_name: the domain part of every B-TID (TS 33.220 4.5.2). */
  bsfDomain: string;
  /** Digest realm; default bsfDomain. */
  realm?: string;
  /** Lifetime of Ks (so of every Ks_NAF), seconds; default 3600. */
  keyLifetimeSeconds?: number;
  /** How long a challenge may be answered, seconds; default 120. */
  challengeLifetimeSeconds?: number;
  /** Device-facing Ub listener, served at /bsf; HTTPS when cert and key are given. */
  ub: MefGbaListenOptions & { cert?: string | Buffer; key?: string | Buffer };
  /**
   * Zn listener (HTTPS, served at /zn). NAFs authenticate with a client certificate issued under
   * `nafTrustAnchors` (dNSName SANs = the NAF FQDNs it speaks for) or a `nafCredentials` entry.
   */
  /**
   * EST over a GBA-derived TLS-PSK session (TLS 1.2 PSK, identity = B-TID, key = Ks_NAF for the
   * MEF-FQDN); needs the MEF CA. Only subscribers whose targets list the MEF-FQDN get a key.
   */
  est?: MefGbaListenOptions;
  zn: MefGbaListenOptions & {
    cert: string | Buffer;
    key: string | Buffer;
    nafCredentials?: readonly NafCredential[];
    nafTrustAnchors?: ReadonlyArray<string | Buffer>;
  };
}

export const GBA_UB_PATH = '/bsf';
export const GBA_ZN_PATH = '/zn';

/** A verified client certificate decides when present; otherwise the shared NAF credential. */
function nafAuthenticator(o: MefGbaOptions['zn']): NafAuthenticator {
  const byCertificate = o.nafTrustAnchors?.length ? nafClientCertificateAuthenticator() : undefined;
  const byCredential = o.nafCredentials?.length ? nafSharedCredentialAuthenticator(o.nafCredentials) : undefined;
  if (!byCertificate && !byCredential) {
    throw new Error('gba.zn needs nafCredentials or nafTrustAnchors: the Zn serves only authenticated NAFs');
  }
  return (req) => byCertificate?.(req) ?? byCredential?.(req);
}

export interface RunningBsf {
  bsf: Bsf;
  ub: Server | HttpServer;
  zn: Server;
}

export function createMefBsf(
  o: MefGbaOptions,
  ctx: { store: Store; se: SecureEnvironment; now: () => number; edge: HttpEdge },
): RunningBsf {
  const bsf = createBsf({
    store: ctx.store,
    se: ctx.se,
    kek: MEF_KEK_ID, // the MEF's KEK; the GBA sealing AAD ("m2msec-gba/<kind>/v1") differs from the vault's
    bsfDomain: o.bsfDomain,
    now: ctx.now,
    ...(o.realm !== undefined ? { realm: o.realm } : {}),
    ...(o.keyLifetimeSeconds !== undefined ? { keyLifetimeSeconds: o.keyLifetimeSeconds } : {}),
    ...(o.challengeLifetimeSeconds !== undefined ? { challengeLifetimeSeconds: o.challengeLifetimeSeconds } : {}),
  });
  // TS 24.109 / 33.220 define no error body outside Digest AKA: the routes answer text themselves; what
  // the edge answers (no such path, a fault) is JSON with a code, never express's HTML page.
  const ubApp = ctx.edge(ubRoutes(bsf), { prefix: GBA_UB_PATH, notFoundMessage: 'no such BSF resource' });
  const ub =
    o.ub.cert && o.ub.key
      ? createServer({ cert: o.ub.cert, key: o.ub.key, minVersion: 'TLSv1.2' }, ubApp)
      : createHttpServer(ubApp);

  const znApp = ctx.edge(znRoutes(bsf, { authenticate: nafAuthenticator(o.zn) }), {
    prefix: GBA_ZN_PATH,
    notFoundMessage: 'no such BSF resource',
  });
  const anchors = o.zn.nafTrustAnchors ?? [];
  const zn = createServer(
    {
      cert: o.zn.cert,
      key: o.zn.key,
      minVersion: 'TLSv1.2',
      // Ask for a certificate but let credential NAFs in; only a verified one counts (authorized).
      ...(anchors.length ? { requestCert: true, rejectUnauthorized: false, ca: [...anchors] } : {}),
    },
    znApp,
  );
  return { bsf, ub, zn };
}
