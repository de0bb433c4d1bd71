// MAFClientRegCfg / MEFClientRegCfg applied by the node (TS-0003 12.4.2 sec:clientRegCfg): MAF Client
// Registration (8.8.2.3) on a MAF Handshake (8.8.2.2), MEF Client Registration (8.3.5.2.3) on a MEF
// Handshake (8.3.5.2.2). The handshake authenticates the node with the credential the node holds — its
// certificate, or a symmetric key already provisioned on it and named by symmKeyID — and authenticates
// the MAF / MEF by its certificate against the node's trust anchors: a MAF or MEF the <mgmtObj> points
// at whose certificate those anchors do not vouch for gets no registration (and learns nothing).
import { MafClient, type MafClientCredential } from '@m2msec/maf';
import { type BootstrapCredential, MefChannel, mefHandshakeOptions } from '@m2msec/rspf';
import type { CertificateCredential } from './credential.js';

/** The credential of a MAF / MEF Handshake: the node's certificate, or a key provisioned on the node. */
export type HandshakeCredential =
  | { kind: 'certificate'; credential: CertificateCredential }
  | { kind: 'psk'; identity: string; key: Uint8Array };

export interface ClientRegCfg {
  fqdn: string;
  adminFqdn: string;
  httpPort?: number;
  /** Address to connect to instead of resolving fqdn (split DNS, tests). */
  connectAddress?: string;
  expirationTime: Date;
  labels?: string[];
  timeoutMs?: number;
}

export interface ClientRegistered {
  function: 'MAF' | 'MEF';
  regId: string;
  clientId: string;
  expirationTime: string;
  /** Where the registration was made (https://fqdn:port). */
  url: string;
}

const urlOf = (c: ClientRegCfg) => `https://${c.connectAddress ?? c.fqdn}:${c.httpPort ?? 443}`;

/** TLS failures that mean "the server's certificate is not vouched for by the node's trust anchors". */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A precise reason for a failed handshake or request, without secrets. */
export function describeFailure(fn: 'MAF' | 'MEF', c: ClientRegCfg, e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code && UNTRUSTED.has(code)) {
    return (
      `the ${fn} at ${c.fqdn}:${c.httpPort ?? 443} was not authenticated: its certificate is not vouched for by ` +
      `this node's trust anchors for ${c.fqdn} (${code}); not registered`
    );
  }
  return `${fn} Client Registration at ${c.fqdn}:${c.httpPort ?? 443} failed: ${(e as Error).message}`;
}

function mafCredential(h: HandshakeCredential): MafClientCredential {
  return h.kind === 'psk'
    ? { kind: 'psk', identity: h.identity, key: h.key }
    : {
        kind: 'certificate',
        cert: h.credential.chain,
        key: h.credential.key,
        trustAnchors: h.credential.trustAnchors,
      };
}

/** MAF Client Registration (8.8.2.3); the MafClient is kept for key procedures. */
export async function registerAtMaf(
  c: ClientRegCfg,
  h: HandshakeCredential,
): Promise<ClientRegistered & { client: MafClient }> {
  const client = new MafClient({
    mafUrl: urlOf(c),
    mafFqdn: c.fqdn,
    credential: mafCredential(h),
    timeoutMs: c.timeoutMs ?? 15_000,
  });
  try {
    const a = await client.registerClient({
      adminFQDN: c.adminFqdn,
      expirationTime: c.expirationTime,
      ...(c.labels?.length ? { labels: c.labels } : {}),
    });
    return {
      function: 'MAF',
      regId: a.mafClientRegID,
      clientId: a.mafClientID,
      expirationTime: a.expirationTime,
      url: `https://${c.fqdn}:${c.httpPort ?? 443}`,
      client,
    };
  } catch (e) {
    throw new Error(describeFailure('MAF', c, e));
  }
}

function bootstrapOf(h: HandshakeCredential, fqdn: string): BootstrapCredential {
  return h.kind === 'psk'
    ? { kind: 'psk', kpmId: h.identity, kpm: h.key }
    : {
        kind: 'certificate',
        cert: h.credential.chain,
        key: h.credential.key,
        trustAnchors: h.credential.trustAnchors,
        servername: fqdn,
      };
}

/** MEF Client Registration (8.3.5.2.3) on its own MEF Handshake. */
export async function registerAtMef(c: ClientRegCfg, h: HandshakeCredential): Promise<ClientRegistered> {
  let channel: MefChannel | undefined;
  try {
    channel = new MefChannel(urlOf(c), await mefHandshakeOptions(bootstrapOf(h, c.fqdn), c.fqdn), c.timeoutMs);
    const r = await channel.post('/mef/mefClientReg', {
      mefFQDN: c.fqdn,
      adminFQDN: c.adminFqdn,
      expirationTime: c.expirationTime.toISOString(),
      ...(c.labels?.length ? { labels: c.labels } : {}),
    });
    if (r.rsc !== 2001) {
      const why = typeof r.body?.['m2m:dbg'] === 'string' ? r.body['m2m:dbg'] : `HTTP ${r.status}`;
      throw new Error(`the MEF answered ${r.rsc || r.status}: ${why}`);
    }
    return {
      function: 'MEF',
      regId: String(r.body.mefClientRegID),
      clientId: String(r.body.mefClientID),
      expirationTime: String(r.body.expirationTime),
      url: `https://${c.fqdn}:${c.httpPort ?? 443}`,
    };
  } catch (e) {
    throw new Error(describeFailure('MEF', c, e));
  } finally {
    channel?.close();
  }
}
