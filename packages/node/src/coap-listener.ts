// The optional CoAP listener (TS-0008 over DTLS 1.2, "coaps"): the PSK-based frameworks (Kpsa, MAF Kc
// and DerivedKey, resolved as on the HTTPS PSK listener) in front of the same CSE handler. The DTLS session's
// credential becomes the transport context's association, so authentication, authorization and the
// impersonation checks see the same facts as over HTTPS. Without libssl3 the listener refuses to start
// with a message naming the package, and the rest of the IN-CSE runs.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type CoapBinding, type CoapListenerLimits, createCoapBinding } from '@m2msec/binding-coap';
import { type DtlsSession, DtlsUnavailableError } from '@m2msec/dtls';
import { errorLogFields, type RequestHandler, ResponseStatusCode, type TransportContext } from '@m2msec/protocol';
import {
  AuthorizedPublicKeyVerifier,
  authorizedPublicKeyCredentialId,
  type CertificateRevocation,
  certificateIdentity,
  checkCertificateProfile,
  isDerivedKeyIdentity,
  issuerHasNameConstraints,
  macCertOfCertificate,
} from '@m2msec/saef';
import { type PskIdentityResolution, resolvePskIdentity } from '@m2msec/security-association';
import type { Logger } from 'pino';
import type { InCseAdministration } from './administration.js';
import type { InCseSecurity } from './security.js';

export interface CoapListenerConfig {
  host: string;
  port: number;
  /** 'coap-only' leaves the (critical) TS-0008 options out of responses, for plain CoAP clients. */
  responseOptions?: 'oneM2M' | 'coap-only';
  /** Also serve the Certificate-Based SAEF (ECDHE-ECDSA) with security.certificate's files. */
  certificate?: boolean;
  /**
   * AuthorizedPublicKey mode (needs certificate): a client certificate carrying a MacCert is checked in
   * the handshake against the DerivedKey trust anchors' K_RS-TA (credentials add-dk-ta).
   */
  authorizedPublicKey?: boolean;
  /** DTLS listener limits (docs/hardening.md "Resource limits"); @m2msec/dtls's defaults when unset. */
  limits?: CoapListenerLimits;
}

function hasMacCert(der: Buffer): boolean | 'malformed' {
  try {
    return macCertOfCertificate(der) !== undefined;
  } catch {
    return 'malformed';
  }
}

export interface CoapCertificateFiles {
  cert: string;
  key: string;
  trustAnchors: string[];
}

type Association = NonNullable<TransportContext['association']>;

/** psk_identity resolutions kept until their handshake finishes (the DTLS session cap is 1000). */
const MAX_PENDING = 4096;

/**
 * The association of a certificate session (TS-0003 8.2.2.2), as the HTTPS certificate listener
 * derives it: the clause 10.1 profile of the chain (leaf and the trust anchor that issued it), the
 * identity its SAN proves, nameConstraints on the issuer of an AE-ID certificate, never this CSE's own ID.
 */
function certificateAssociation(
  leafDer: Buffer,
  anchors: readonly X509Certificate[],
  ctx: { spId: string; inCseId: string },
): Association {
  const leaf = new X509Certificate(leafDer);
  const issuer = anchors.find((a) => leaf.checkIssued(a));
  const chain = [new Uint8Array(leafDer), ...(issuer ? [new Uint8Array(issuer.raw)] : [])];
  const profile = checkCertificateProfile(chain);
  const identity = certificateIdentity(profile.subjectAltNames, ctx);
  if (identity.kind === 'ae' && !issuerHasNameConstraints(chain))
    throw new Error('the issuer of an AE-ID certificate must carry nameConstraints (TS-0003 10.1.1.5)');
  if (identity.kind === 'cse' && identity.id === ctx.inCseId)
    throw new Error("the certificate names this CSE's own CSE-ID");
  const proven = identity.kind === 'ae' || identity.kind === 'cse' ? [identity.id] : [];
  return { boundIds: proven, credentialId: identity.credentialId, framework: 'certificate' };
}

export async function startCoapListener(
  coap: CoapListenerConfig,
  cse: {
    spId: string;
    cseId: string;
    certificate?: CoapCertificateFiles;
    /** The certificate listener's CRLs (security.certificate.crls / crl): revoked certificates get no session. */
    revocation?: Pick<CertificateRevocation, 'status'>;
  },
  security: InCseSecurity,
  handler: RequestHandler,
  administration: InCseAdministration,
  log: Logger,
): Promise<{ binding: CoapBinding; url: string } | undefined> {
  const refuse = (identity: string, reason: string): undefined => {
    log.warn({ identity, reason }, 'DTLS-PSK handshake refused');
    administration.authenticationFailure({ channel: 'coaps-psk', credential: `pskIdentity:${identity}`, reason });
    return undefined;
  };
  const certs = coap.certificate ? cse.certificate : undefined;
  if (coap.certificate && !certs)
    throw new Error('coap.certificate needs security.certificate (cert, key, trustAnchors)');
  const anchors = certs ? certs.trustAnchors.map((f) => new X509Certificate(readFileSync(f))) : [];
  const certificateSessions = new WeakMap<DtlsSession, Association>();
  const sessionOf = new WeakMap<TransportContext, { session: DtlsSession; notAfter?: number }>();
  // IDs the credential itself proves (certificate SAN, MAF Kc entity ID), kept beside the bindings.
  const sessionProven = new WeakMap<TransportContext, readonly string[]>();
  // The HTTPS PSK listener's sources (security.pskSources): DerivedKey, MAF, RSPF, GBA, Kpsa.
  const pskSources = security.pskSources;
  // The resolution of a handshake's psk_identity, until the session it opens is accepted.
  type PskFacts = Omit<PskIdentityResolution, 'key'>;
  const resolved = new Map<string, PskFacts>();
  const pskSessions = new WeakMap<DtlsSession, PskFacts>();
  // Each request: the session's credential must still hold (a revoked or expired Kpsa, an expired
  // certificate): else 4107 and the session ends, as the HTTPS listeners tear theirs down.
  const stillValid = (transport: TransportContext): boolean => {
    const s = sessionOf.get(transport);
    if (s?.notAfter !== undefined && Date.now() > s.notAfter) return false;
    // A certificate revoked since the handshake (the CRL feed re-reads files and its URL) ends the session.
    if (s?.session.certificate && cse.revocation && cse.revocation.status(s.session.certificate) !== 'good')
      return false;
    const identity = transport.tls?.pskIdentity ?? '';
    const framework = transport.association?.framework;
    // Kpsa, KeID, B-TID and MAF keys: still held (a DerivedKey identity is single-use, never re-resolved).
    if (framework === 'psk' || framework === 'maf') return !('refused' in resolvePskIdentity(identity, pskSources));
    return true;
  };
  // The IDs bound to the credential are read for each request, as the HTTPS listeners do: an AE-ID
  // bound by the registration this session carried (TS-0003 7.2.1) is that AE's from the next request.
  const withCurrentBindings = (transport: TransportContext): TransportContext => {
    const a = transport.association;
    if (!a?.credentialId) return transport;
    const proven = sessionProven.get(transport) ?? [];
    const boundIds = [...new Set([...proven, ...security.bindings.boundIdsSync(a.credentialId)])];
    return { ...transport, association: { ...a, boundIds } };
  };
  const guarded: RequestHandler = async (req, transport) => {
    if (stillValid(transport)) return handler(req, withCurrentBindings(transport));
    const s = sessionOf.get(transport);
    if (s) setImmediate(() => s.session.close('credential no longer valid'));
    return {
      rsc: ResponseStatusCode.SECURITY_ASSOCIATION_REQUIRED,
      rqi: req.rqi,
      dbg: 'the credential of this DTLS session was revoked or has expired',
    };
  };
  if (coap.authorizedPublicKey && !certs) throw new Error('coap.authorizedPublicKey needs coap.certificate');
  const apk = coap.authorizedPublicKey
    ? new AuthorizedPublicKeyVerifier({ trustAnchors: security.kpsa.trustAnchorKeys() })
    : undefined;
  let binding: CoapBinding;
  try {
    binding = createCoapBinding({
      host: coap.host,
      port: coap.port,
      handler: administration.audited(guarded, 'coaps-psk'),
      ...(coap.responseOptions === undefined ? {} : { responseOptions: coap.responseOptions }),
      ...coap.limits,
      // Synchronous, from memory (DESIGN.md 3), the HTTPS PSK listener's resolution: DerivedKey check()
      // changes nothing; a MAF identity's Kc from the MAF key cache (TS-0003 8.2.2.3); else a KpsaID.
      psk: (raw) => {
        const identity = raw.toString('utf8');
        const r = resolvePskIdentity(identity, pskSources);
        if ('refused' in r) return refuse(identity, r.refused);
        const { key, ...facts } = r;
        // Bounded: entries of handshakes that never finished (a wrong key) are dropped oldest first.
        if (resolved.size >= MAX_PENDING && !resolved.has(identity))
          resolved.delete(resolved.keys().next().value as string);
        resolved.set(identity, facts);
        return Buffer.from(key);
      },
      ...(certs
        ? {
            certificate: {
              certPem: readFileSync(certs.cert, 'utf8'),
              keyPem: readFileSync(certs.key, 'utf8'),
              caPem: anchors.map((a) => a.toString()).join('\n'),
              requestCert: true,
              requireCert: true,
            },
          }
        : {}),
      // In the handshake: a certificate with a MacCert is judged by it (its alert on failure); any other
      // must chain to a trust anchor.
      ...(apk
        ? {
            verifyPeer: (ders: Buffer[], chainError: number) => {
              const leaf = ders[0];
              const m = leaf === undefined ? false : hasMacCert(leaf);
              if (m === 'malformed') return 'bad_certificate';
              if (m) {
                const v = apk.check(leaf!);
                return v.ok ? undefined : v.alert;
              }
              return chainError === 0 ? undefined : 'unknown_ca';
            },
          }
        : {}),
      // DerivedKey: the window moves only now that the Finished messages proved K_RS-C.
      acceptSession: (session) => {
        if (session.certificate !== undefined && apk && hasMacCert(session.certificate) === true) {
          const v = apk.accept(session.certificate);
          if (!v.ok) {
            administration.authenticationFailure({ channel: 'coaps-certificate', reason: v.reason });
            return false;
          }
          const credentialId = authorizedPublicKeyCredentialId(v.macCert);
          certificateSessions.set(session, { boundIds: [], credentialId, framework: 'authorized-public-key' });
          return true;
        }
        if (session.certificate !== undefined) {
          const status = cse.revocation?.status(session.certificate) ?? 'good';
          if (status !== 'good') {
            const reason =
              status === 'revoked'
                ? 'the peer certificate is revoked (CRL)'
                : "the CRL of the peer certificate's issuer expired";
            log.warn({ reason }, 'DTLS certificate session refused');
            administration.authenticationFailure({ channel: 'coaps-certificate', reason });
            return false;
          }
          try {
            certificateSessions.set(
              session,
              certificateAssociation(session.certificate, anchors, { spId: cse.spId, inCseId: cse.cseId }),
            );
            return true;
          } catch (e) {
            log.warn({ reason: (e as Error).message }, 'DTLS certificate session refused');
            administration.authenticationFailure({ channel: 'coaps-certificate', reason: (e as Error).message });
            return false;
          }
        }
        const identity = session.pskIdentity?.toString('utf8') ?? '';
        const facts = resolved.get(identity);
        // A DerivedKey identity is used once: its facts go with this session.
        if (isDerivedKeyIdentity(identity)) resolved.delete(identity);
        if (!facts) return false; // fail closed: a session the resolver did not admit
        pskSessions.set(session, facts);
        if (!isDerivedKeyIdentity(identity)) return true;
        const a = security.derivedKey?.accept(identity);
        if (!a?.ok) refuse(identity, a ? a.message : 'DerivedKey mode is not enabled');
        return a?.ok === true;
      },
      transportContext: (session, base) => {
        const ctx = buildContext(session, base);
        const notAfter = session.certificate
          ? Date.parse(new X509Certificate(session.certificate).validTo)
          : pskSessions.get(session)?.expiresAt;
        sessionOf.set(ctx, { session, ...(notAfter === undefined ? {} : { notAfter }) });
        return ctx;
      },
      onError: (e) => log.error(errorLogFields(e), 'CoAP request failed'),
    });
  } catch (e) {
    if (e instanceof DtlsUnavailableError) {
      log.error({}, `CoAP listener not started: ${e.message}`);
      return undefined;
    }
    throw e;
  }
  const a = await binding.listen();
  return { binding, url: `coaps://${coap.host}:${a.port}` };

  function buildContext(session: DtlsSession, base: TransportContext): TransportContext {
    const byCertificate = certificateSessions.get(session);
    if (byCertificate) {
      const boundIds = [
        ...new Set([...byCertificate.boundIds, ...security.bindings.boundIdsSync(byCertificate.credentialId!)]),
      ];
      const ctx = { ...base, association: { ...byCertificate, boundIds } };
      sessionProven.set(ctx, byCertificate.boundIds);
      return ctx;
    }
    const facts = pskSessions.get(session)!;
    const boundIds = [...new Set([...facts.provenIds, ...security.bindings.boundIdsSync(facts.credentialId)])];
    const ctx = { ...base, association: { boundIds, credentialId: facts.credentialId, framework: facts.framework } };
    sessionProven.set(ctx, facts.provenIds);
    return ctx;
  }
}
