// End-to-end security wiring (docs/end-to-end-security.md): the IN-CSE as ESPrim Target (TS-0003 8.4,
// TS-0004 7.6.2) with ESPrim-based originator verification (TS-0003 7.2.2). The logic lives in
// @m2msec/esprim; this file only reads the configured key files and composes the handler.
import { readFileSync } from 'node:fs';
import { parseKeID, Suid } from '@m2msec/crypto';
import { withESCertKETarget } from '@m2msec/escertke';
import {
  type CredentialSlots,
  ESPrimReceiver,
  e2eSecInfo,
  esprimAuthenticated,
  FetchingESPrimKeys,
  PairwiseESPrimKeys,
  PersistentIdentityKeys,
  withESPrimTarget,
} from '@m2msec/esprim';
import { type MafClient, mafESPrimKeyFetcher } from '@m2msec/maf';
import type { RequestHandler } from '@m2msec/protocol';
import { fetchCredentials } from '@m2msec/rspf';
import { ConfigError, type InCseConfig } from './config.js';
import { mefSource } from './mef-target.js';

/** A pairwiseESPrimKey file: base64 of the key (whitespace ignored), at least 128 bits. */
function readKeyFile(path: string, kid: string): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/\s+/g, '');
  } catch (e) {
    throw new ConfigError(
      `endToEnd.esprim key '${kid}': cannot read its keyFile (${(e as NodeJS.ErrnoException).code})`,
    );
  }
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length < 16) {
    throw new ConfigError(`endToEnd.esprim key '${kid}': its keyFile must hold the base64 of at least 16 bytes`);
  }
  return key;
}

export interface EndToEnd {
  /** For CseOptions.endToEndAuthenticated (TS-0003 7.2.2): absent when ESPrim is not configured. */
  endToEndAuthenticated?: typeof esprimAuthenticated;
  /**
   * The <CSEBase> e2eSecInfo (TS-0003 8.4.3.1.3): SUID 13 (pre-provisioned ESPrim keys), plus 43 when
   * ESCertKE provides keys; no shared rand object (esro), which would go stale in the stored <CSEBase>.
   */
  e2eSecInfo?: { esf: number[] };
  /** Wraps the CSE's handler so outer NOTIFYs with m2m:seci to the <CSEBase> are opened here. */
  wrap(handler: RequestHandler): RequestHandler;
}

/** What an embedder gives besides config.endToEnd (createMnCse: keys it holds in memory, not in files). */
export interface EndToEndInline {
  /** Pre-provisioned pairwiseESPrimKeys (TS-0003 8.4.2 A), besides the key files of endToEnd.esprim.keys. */
  keys?: ReadonlyArray<{ kid: string; key: Uint8Array; identity: string }>;
  /** Lifetime of the receiverESPrimRandObjects (ms); overrides endToEnd.esprim.randLifetimeSeconds. */
  randLifetimeMs?: number;
}

/**
 * `se` keeps the ESCertKE keys across restarts (credentials `escertke/<identity>` of the node's SE);
 * `maf` is this CSE's MAF client (security.maf), the Receiver's MAF Key Retrieval of MAF ESPrim keys.
 * Used alike by the IN-CSE and the MN-CSE (createCseNode).
 */
export async function openEndToEnd(
  config: InCseConfig,
  se: CredentialSlots,
  log?: { warn(o: object, m: string): void },
  maf?: MafClient,
  inline: EndToEndInline = {},
): Promise<EndToEnd> {
  const esprim = config.endToEnd?.esprim;
  if (!esprim) return { wrap: (h) => h };
  const keys = new PairwiseESPrimKeys();
  const seen = new Set<string>();
  const once = (kid: string) => {
    if (seen.has(kid)) throw new ConfigError(`endToEnd.esprim.keys: kid '${kid}' is listed twice`);
    seen.add(kid);
  };
  for (const k of esprim.keys) {
    once(k.kid);
    const key = readKeyFile(k.keyFile, k.kid);
    keys.add({ kid: k.kid, key, identity: k.identity });
    key.fill(0);
  }
  for (const k of inline.keys ?? []) {
    once(k.kid);
    if (k.key.length < 16) throw new ConfigError(`endToEnd.esprim key '${k.kid}' must have at least 16 bytes`);
    keys.add({ kid: k.kid, key: k.key, identity: k.identity });
  }
  const { cseId, cseBaseName, spId } = config.cse;
  // The outer NOTIFY's To names the <CSEBase> in CSE-relative, SP-relative or absolute form.
  const bases = new Set([
    cseBaseName,
    cseId,
    `${cseId}/${cseBaseName}`,
    `//${spId}${cseId}`,
    `//${spId}${cseId}/${cseBaseName}`,
  ]);
  const escertke = config.endToEnd?.escertke;
  // One ESCertKE key per proved identity: a new establishment replaces the previous key, so an authorized
  // initiator repeating ESCertKE cannot grow the key store. Kept in the SE: a restart does not forget them.
  const initiatorAllowed = (id: string) =>
    (escertke?.initiators ?? []).some((p) => (p.endsWith('/*') ? id.startsWith(p.slice(0, -1)) : id === p));
  const established = escertke ? await PersistentIdentityKeys.open(se, 'escertke/', keys, initiatorAllowed) : undefined;
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new ConfigError(`endToEnd.escertke.${what}: cannot read it (${(e as NodeJS.ErrnoException).code})`);
    }
  };
  const terminating = escertke && {
    cert: read(escertke.cert, 'cert'),
    key: read(escertke.key, 'key'),
    ca: escertke.trustAnchors.map((f) => read(f, 'trustAnchors')),
    identityContext: { spId, inCseId: cseId },
    isAuthorizedInitiator: initiatorAllowed,
  };
  // MEF-provisioned pairwiseESPrimKeys (TS-0003 8.6.2 / 8.3, SUID 23): fetched from the MEF of
  // security.mef by KeID on first use, bound to the Enrolee-ID (an AE-ID-Stem completed with this CSE-ID).
  const mef = esprim.mefProvisioned ? config.security.mef : undefined;
  if (esprim.mefProvisioned && !mef) throw new ConfigError('endToEnd.esprim.mefProvisioned needs security.mef');
  const fromMef = mef && {
    accepts: (kid: string) => {
      try {
        return parseKeID(kid).mefFqdn.toLowerCase() === mef.fqdn.toLowerCase();
      } catch {
        return false;
      }
    },
    fetch: async (kid: string) => {
      const c = await fetchCredentials(mefSource(mef), kid, Suid.RspfEsprim);
      return {
        key: c.key,
        identity: c.enroleeId.startsWith('/') ? c.enroleeId : `${cseId}/${c.enroleeId}`,
        expiresAt: c.expiresAt,
      };
    },
  };
  // MAF ESPrim Framework (TS-0003 8.4.2 A, C.6a, SUID 33): a kid that is a Key Identifier of the MAF of
  // security.maf is retrieved from it (this CSE's own MAF Handshake) and bound to the source client.
  if (esprim.mafDistributed && !maf) throw new ConfigError('endToEnd.esprim.mafDistributed needs security.maf');
  const fromMaf = esprim.mafDistributed && maf ? mafESPrimKeyFetcher(maf, { spId, cseId }) : undefined;
  const sources = [fromMef, fromMaf].filter((f) => f !== undefined);
  const fetching =
    sources.length > 0
      ? new FetchingESPrimKeys(keys, {
          accepts: (kid) => sources.some((f) => f.accepts(kid)),
          // A MEF KeID and a MAF Key Identifier name different FQDNs: the first source that accepts fetches.
          fetch: (kid) => sources.find((f) => f.accepts(kid))!.fetch(kid),
          ...(log ? { onError: (m: string) => log.warn({}, m) } : {}),
        })
      : undefined;
  const receiver = new ESPrimReceiver({
    keys: fetching ?? keys,
    ...(inline.randLifetimeMs !== undefined
      ? { randLifetimeMs: inline.randLifetimeMs }
      : esprim.randLifetimeSeconds
        ? { randLifetimeMs: esprim.randLifetimeSeconds * 1000 }
        : {}),
  });
  return {
    endToEndAuthenticated: esprimAuthenticated,
    e2eSecInfo: e2eSecInfo({
      suids: [
        Suid.PreProvisionedEsprim,
        ...(fromMef ? [Suid.RspfEsprim] : []),
        ...(fromMaf ? [Suid.MafEsprim] : []),
        ...(terminating ? [Suid.CertificateEsprim] : []),
      ],
    }),
    wrap: (handler) => {
      const isCseBase = (to: string) => bases.has(to);
      const esprimTarget = withESPrimTarget(handler, { receiver, isCseBase, cseId });
      if (!terminating) return esprimTarget;
      return withESCertKETarget(esprimTarget, {
        terminating,
        isCseBase,
        onEstablished: (e) => established!.put(e.peer.id, e.kid, e.pairwiseE2EKey),
      });
    },
  };
}
