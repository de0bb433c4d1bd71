// The BSF role of the MEF in GBA-based RSPF (TS-0003 8.3.2.3: Ke = Ks, KeID = B-TID).
import type { KeyRef, SecureEnvironment } from '@m2msec/secure-environment';
import { type CollectionStore, sortableNumber } from '@m2msec/store';
import { DEFAULT_SQN_POLICY, type SqnPolicy } from '../aka/sqn-policy.js';
import { GbaError } from '../lib/errors.js';
import { canonicalNafFqdn } from '../lib/validate.js';
import type { HttpAnswer } from './answer.js';
import type { BsfContext } from './context.js';
import { handleUb, type UbHttpRequest } from './handle-ub.js';
import { handleZn, type ZnHttpRequest } from './handle-zn.js';
import { type BootstrapRecord, type ChallengeRecord, collectionNames } from './records.js';
import { createSealer } from './sealing.js';
import { SubscriberDatabase } from './subscriber-database.js';

export interface BsfOptions {
  readonly store: CollectionStore;
  readonly se: SecureEnvironment;
  /** SE AES key (usage 'encrypt') sealing K || OPc and Ks in the store. */
  readonly kek: KeyRef;
  /** BSF_servers_domain_name: the domain part of every B-TID (TS 33.220 4.5.2). */
  readonly bsfDomain: string;
  /** Digest realm (TS 24.109 uses the home network domain); default bsfDomain. */
  readonly realm?: string;
  /** Key lifetime of Ks (and so of Ks_NAF), seconds; default 3600. */
  readonly keyLifetimeSeconds?: number;
  /** How long a challenge may be answered, seconds; default 120. */
  readonly challengeLifetimeSeconds?: number;
  readonly sqnPolicy?: SqnPolicy;
  /** IND of this BSF in generated SQNs (TS 33.102 C.1.2); default 0. */
  readonly ind?: number;
  /** Collection name prefix; default "gba". */
  readonly prefix?: string;
  readonly now?: () => number;
}

export interface Bsf {
  readonly bsfDomain: string;
  readonly realm: string;
  /** The HSS stand-in (provision / get / delete subscribers). */
  readonly subscribers: SubscriberDatabase;
  /** One Ub exchange step. */
  handleUb(req: UbHttpRequest): Promise<HttpAnswer>;
  /** One Zn request. */
  handleZn(req: ZnHttpRequest): Promise<HttpAnswer>;
  /** Deletes expired challenges and bootstrapping sessions; returns how many. */
  purgeExpired(): Promise<{ challenges: number; bootstraps: number }>;
}

/** How many expired entries one purge step deletes before it looks again. */
const PURGE_BATCH = 500;

export function createBsf(options: BsfOptions): Bsf {
  const bsfDomain = canonicalNafFqdn(options.bsfDomain, 'bsfDomain');
  const realm = options.realm ?? bsfDomain;
  if (typeof realm !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(realm) || /["\\]/.test(realm)) {
    throw new GbaError(
      400,
      'ERR_MALFORMED',
      'realm must be 1..255 printable ASCII characters without quote or backslash',
    );
  }
  const policy = options.sqnPolicy ?? DEFAULT_SQN_POLICY;
  if (!Number.isInteger(policy.indBits) || policy.indBits < 0 || policy.indBits > 16) {
    throw new GbaError(400, 'ERR_MALFORMED', 'sqnPolicy.indBits must be 0..16');
  }
  if (!Number.isSafeInteger(policy.delta) || policy.delta < 1)
    throw new GbaError(400, 'ERR_MALFORMED', 'sqnPolicy.delta must be >= 1');
  const ind = options.ind ?? 0;
  if (!Number.isInteger(ind) || ind < 0 || ind >= 2 ** policy.indBits) {
    throw new GbaError(400, 'ERR_MALFORMED', `ind must be 0..${2 ** policy.indBits - 1}`);
  }
  const seconds = (v: number | undefined, d: number, name: string) => {
    const s = v ?? d;
    if (!Number.isFinite(s) || s <= 0) throw new GbaError(400, 'ERR_MALFORMED', `${name} must be positive`);
    return s * 1000;
  };
  const ctx: BsfContext = {
    store: options.store,
    sealer: createSealer(options.se, options.kek),
    names: collectionNames(options.prefix ?? 'gba'),
    realm,
    bsfDomain,
    keyLifetimeMs: seconds(options.keyLifetimeSeconds, 3600, 'keyLifetimeSeconds'),
    challengeLifetimeMs: seconds(options.challengeLifetimeSeconds, 120, 'challengeLifetimeSeconds'),
    policy,
    ind,
    now: options.now ?? Date.now,
  };
  // Challenges and bootstrapping sessions by expiry, so the purge reads only what expired (docs/storage.md).
  const byExpiry = { indexes: { expiresAt: { key: (r: { expiresAt: number }) => sortableNumber(r.expiresAt) } } };
  const expiringChallenges = ctx.store.collection<ChallengeRecord>(ctx.names.challenges, byExpiry);
  const expiringBootstraps = ctx.store.collection<BootstrapRecord>(ctx.names.bootstraps, byExpiry);
  return {
    bsfDomain,
    realm,
    subscribers: new SubscriberDatabase(options),
    handleUb: (req) => handleUb(ctx, req),
    handleZn: (req) => handleZn(ctx, req),
    async purgeExpired() {
      // Walks the expiry indexes up to now: reads what expired, never every challenge or session.
      const below = sortableNumber(Math.max(0, ctx.now() + 1));
      let challenges = 0;
      let bootstraps = 0;
      for (;;) {
        const batch = await expiringChallenges.range('expiresAt', { below, limit: PURGE_BATCH });
        for (const { key, value } of batch) {
          const deleted = await ctx.store.transaction(async (tx) => {
            // The subscriber's open-challenge pointer goes with the challenge it names.
            const idx = tx.collection<string>(ctx.names.nonceByImpi);
            if ((await idx.get(value.impi)) === key) await idx.delete(value.impi);
            return tx.collection(ctx.names.challenges).delete(key);
          });
          if (deleted) challenges++;
        }
        if (batch.length < PURGE_BATCH) break;
      }
      for (;;) {
        const batch = await expiringBootstraps.range('expiresAt', { below, limit: PURGE_BATCH });
        for (const { key, value } of batch) {
          const deleted = await ctx.store.transaction(async (tx) => {
            const idx = tx.collection<string>(ctx.names.btidByImpi);
            if ((await idx.get(value.impi)) === key) await idx.delete(value.impi);
            return tx.collection(ctx.names.bootstraps).delete(key);
          });
          if (deleted) bootstraps++;
        }
        if (batch.length < PURGE_BATCH) break;
      }
      return { challenges, bootstraps };
    },
  };
}
