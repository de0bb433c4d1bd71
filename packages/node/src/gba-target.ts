// The IN-CSE as Enrolment Target of GBA-based RSPF (TS-0003 8.3.2.3, 8.1.3; docs/mef.md): the NAF.
// A device presents its B-TID as psk_identity (KpsaID = KeID = B-TID) and proves Ks_NAF (= Kpsa).
// The IN-CSE fetches Ks_NAF over the Zn from the MEF acting as BSF, under its NAF FQDN = the CSE-ID in
// public domain name form (TS-0001 6.5.1.1: <CSE-ID>.<SP-ID>), and binds the credential 12-<B-TID> to
// the Enrolee-ID the BSF names before the key is served: the device may register as that AE-ID only.
//
// Credential-ID: KpsaID = B-TID, but base64 '+', '/', '=' are not Credential-ID characters (TS-0003 10.4),
// so the association's Credential-ID is 12-<base64url(RAND), unpadded>@<BSF domain> (gbaCredentialId), a
// one-to-one image of the B-TID; applicableCredIDs rules name it as 12-*@<BSF domain>.
//
// Recognition: a psk_identity is a B-TID for this CSE only if it is base64(16-byte RAND)@<configured BSF
// domain>. KeIDs and MAF Key Identifiers are hexBinary@FQDN (no '=' ever, while a 16-byte base64 RAND
// always ends in '=='), DerivedKey identities start with 'DK.', and KpsaIDs of that exact form are
// refused by the credentials CLI, so no identity can be read two ways.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { type NafKey, NafKeyCache, type NafKeyCacheOptions, parseBtid, ZnClient } from '@m2msec/gba';
import { parseOriginator } from '@m2msec/protocol';
import type { PersistentCredentialBindings } from '@m2msec/security-association';
import type { Logger } from 'pino';
import { ConfigError, type InCseConfig } from './config.js';

/** The public domain name of a CSE-ID (TS-0001 6.5.1.1), the NAF FQDN of a CSE target (TS-0003 8.3.2.3). */
export function cseNafFqdn(cse: { cseId: string; spId: string }): string {
  return `${cse.cseId.replace(/^\//, '')}.${cse.spId}`.toLowerCase();
}

/** True when `identity` is a B-TID whose domain is `bsfDomain`. */
export function isBtidOf(identity: string, bsfDomain: string): boolean {
  try {
    return parseBtid(identity).bsfDomain === bsfDomain.toLowerCase();
  } catch {
    return false;
  }
}

/** The Credential-ID of the association built on a B-TID (see the header). */
export function gbaCredentialId(btid: string): string {
  const { rand, bsfDomain } = parseBtid(btid);
  return `12-${rand.toString('base64url')}@${bsfDomain}`;
}

/** True when `credentialValue` (a KpsaID) has the form a B-TID of `bsfDomain` takes in a Credential-ID. */
export function isGbaCredentialValueOf(credentialValue: string, bsfDomain: string): boolean {
  const at = credentialValue.lastIndexOf('@');
  return (
    /^[A-Za-z0-9_-]{22}$/.test(credentialValue.slice(0, at)) &&
    credentialValue.slice(at + 1).toLowerCase() === bsfDomain.toLowerCase()
  );
}

/** A NafKeyCache that never asks the BSF about identities that are not its B-TIDs (handshake gate, misses). */
class BsfNafKeyCache extends NafKeyCache {
  constructor(
    options: NafKeyCacheOptions,
    private readonly isOurs: (identity: string) => boolean,
  ) {
    super(options);
  }

  override prepare(identity: string): Promise<boolean> {
    return this.isOurs(identity) ? super.prepare(identity) : Promise.resolve(false);
  }
}

export interface InCseGbaTarget {
  nafFqdn: string;
  cache: NafKeyCache;
  isBtid(identity: string): boolean;
  /** PskDirectory shape: Ks_NAF for a held B-TID; a miss starts a Zn fetch for the device's retry. */
  lookup(identity: string): { key: Buffer; expiresAt: number } | undefined;
  close(): void;
}

export function gbaTarget(
  config: InCseConfig,
  bindings: PersistentCredentialBindings,
  log: Logger,
  isReserved: (id: string) => boolean,
): InCseGbaTarget {
  const gba = config.security.gba!;
  const nafFqdn = cseNafFqdn(config.cse);
  const read = (f: string) => readFileSync(f);
  let zn: ZnClient;
  try {
    zn = new ZnClient({
      url: gba.znUrl,
      nafFqdn,
      ...(gba.credentialFile ? { credential: readFileSync(gba.credentialFile, 'utf8').trim() } : {}),
      agent: new Agent({
        ...(gba.znCa ? { ca: read(gba.znCa) } : {}),
        ...(gba.clientCert && gba.clientKey ? { cert: read(gba.clientCert), key: read(gba.clientKey) } : {}),
      }),
    });
  } catch (e) {
    throw new ConfigError(`security.gba: ${(e as Error).message}`);
  }
  const isBtid = (identity: string) => isBtidOf(identity, gba.bsfDomain);
  const bound = new Map<string, number>(); // B-TID -> key expiry, to drop its binding afterwards
  const source = {
    async fetchKsNaf(btid: string): Promise<NafKey> {
      const key = await zn.fetchKsNaf(btid).catch((e: unknown) => {
        // The cache reports only GbaErrors in detail; say here why the Zn failed (no key material in it).
        log.warn({ btid, reason: (e as Error).message }, 'Zn request failed');
        throw e;
      });
      try {
        if (!key.enroleeId) throw new Error('the BSF names no Enrolee-ID for this B-TID: nothing to bind it to');
        // An administrator's originator or a CSE-ID of this CSE is never a subscriber's (docs/administration.md).
        if (isReserved(key.enroleeId)) throw new Error(`the Enrolee-ID ${key.enroleeId} is reserved by this CSE`);
        const cse = parseOriginator(key.enroleeId).kind === 'cse';
        await bindings.set(
          gbaCredentialId(btid),
          cse ? { kind: 'cse', cseId: key.enroleeId } : { kind: 'ae', aeIds: [key.enroleeId] },
        );
      } catch (e) {
        log.warn({ btid, reason: (e as Error).message }, 'Ks_NAF not bound: refused');
        key.ksNaf.fill(0);
        throw e;
      }
      bound.set(btid, key.keyExpiry.getTime());
      log.info({ btid, enroleeId: key.enroleeId, keyExpiry: key.keyExpiry.toISOString() }, 'Ks_NAF fetched over Zn');
      return key;
    },
  };
  const cache = new BsfNafKeyCache(
    {
      zn: source,
      onFetchError: (btid, e) => log.warn({ btid, reason: (e as Error).message }, 'Ks_NAF fetch over Zn failed'),
    },
    isBtid,
  );
  // Bindings of expired B-TIDs serve nothing any more: drop them (the key is refused past its expiry anyway).
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [btid, expiry] of bound) {
      if (expiry > now) continue;
      bound.delete(btid);
      void bindings
        .delete(gbaCredentialId(btid))
        .catch((e) => log.warn({ btid, err: (e as Error).message }, 'unbind failed'));
    }
  }, 60_000);
  sweep.unref();
  return {
    nafFqdn,
    cache,
    isBtid,
    lookup(identity) {
      const k = cache.lookup(identity);
      if (!k) {
        void cache.prepare(identity);
        return undefined;
      }
      return { key: k.ksNaf, expiresAt: k.keyExpiry.getTime() };
    },
    close() {
      clearInterval(sweep);
      cache.clear();
    },
  };
}
