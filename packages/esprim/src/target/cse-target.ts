// A CSE as ESPrim Target (TS-0003 8.4; TS-0004 7.6.2) with ESPrim-based originator verification (7.2.2),
// composed once for any CSE process: the pre-provisioned keys (8.4.2 A) bound to their identities, the
// <CSEBase> recognised in each address form, the hook for CseOptions.endToEndAuthenticated and the
// <CSEBase> e2eSecInfo.
import { Suid } from '@m2msec/crypto';
import type { RequestHandler } from '@m2msec/protocol';
import { PairwiseESPrimKeys } from '../session/pairwise-keys.js';
import { ESPrimReceiver } from '../session/receiver.js';
import { type E2ESecInfo, e2eSecInfo } from './e2e-sec-info.js';
import { esprimAuthenticated, withESPrimTarget } from './target-handler.js';

export interface CseESPrimTargetOptions {
  cseId: string;
  cseBaseName: string;
  spId: string;
  /** Pre-provisioned pairwiseESPrimKeys: kid, key (at least 128 bits), identity (SP-relative AE-ID / CSE-ID). */
  keys: ReadonlyArray<{ kid: string; key: Uint8Array; identity: string }>;
  /** Lifetime of the receiverESPrimRandObjects handed out (ms); the Receiver's default otherwise. */
  randLifetimeMs?: number;
}

export interface CseESPrimTarget {
  /** The key store (further keys, e.g. from ESCertKE, may be added). */
  readonly keys: PairwiseESPrimKeys;
  /** For CseOptions.endToEndAuthenticated (TS-0003 7.2.2). */
  readonly endToEndAuthenticated: typeof esprimAuthenticated;
  /** For CseConfig.e2eSecInfo: SUID 13 (pre-provisioned ESPrim keys). */
  readonly e2eSecInfo: E2ESecInfo;
  /** True for the <CSEBase> in CSE-relative, SP-relative or absolute form. */
  isCseBase(to: string): boolean;
  /** The CSE's handler with outer NOTIFYs carrying m2m:seci to the <CSEBase> opened here. */
  wrap(handler: RequestHandler): RequestHandler;
}

export function cseESPrimTarget(o: CseESPrimTargetOptions): CseESPrimTarget {
  const keys = new PairwiseESPrimKeys();
  const seen = new Set<string>();
  for (const k of o.keys) {
    if (seen.has(k.kid)) throw new RangeError(`pairwiseESPrimKey kid '${k.kid}' is listed twice`);
    seen.add(k.kid);
    keys.add(k);
  }
  const { cseId, cseBaseName, spId } = o;
  const bases = new Set([
    cseBaseName,
    cseId,
    `${cseId}/${cseBaseName}`,
    `//${spId}${cseId}`,
    `//${spId}${cseId}/${cseBaseName}`,
  ]);
  const isCseBase = (to: string) => bases.has(to);
  const receiver = new ESPrimReceiver({
    keys,
    ...(o.randLifetimeMs !== undefined ? { randLifetimeMs: o.randLifetimeMs } : {}),
  });
  return {
    keys,
    endToEndAuthenticated: esprimAuthenticated,
    e2eSecInfo: e2eSecInfo({ suids: [Suid.PreProvisionedEsprim] }),
    isCseBase,
    wrap: (handler) => withESPrimTarget(handler, { receiver, isCseBase, cseId }),
  };
}
