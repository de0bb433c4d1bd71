// CSE configuration: identity in the M2M SP domain (TS-0001 7.2) and behaviour switches.
import type { NotificationTargetPolicyConfig } from './notifications/target-policy.js';

export interface CseConfig {
  /** SP-relative CSE-ID, e.g. '/id-in'. */
  cseId: string;
  /** resourceName of the <CSEBase>, e.g. 'cse-in'. */
  cseBaseName: string;
  /** M2M-SP-ID without '//', e.g. 'm2msec.org'. */
  spId: string;
  /** cseType: 1 IN-CSE, 2 MN-CSE, 3 ASN-CSE (TS-0004 m2m:cseTypeID). */
  cseType: 1 | 2 | 3;
  /** Originators with the system's fixed full privileges (TS-0001 10.2.3: "privileges fixed by the system"). */
  adminOriginators: string[];
  /** Points of access advertised in <CSEBase> poa. */
  poa: string[];
  /** Release versions advertised in srv. */
  supportedReleaseVersions: string[];
  /**
   * e2eSecInfo (esi) advertised on <CSEBase> (TS-0003 8.4.3.1.3, TS-0004 6.3.5.52): the SUIDs of the
   * end-to-end security features this CSE serves as Target (esf), optionally its certificates (escert).
   * Absent: none advertised (the attribute is omitted).
   */
  e2eSecInfo?: { esf: number[]; escert?: string[] };
  /** Accept CSE originators on transports without a security association (TS-0004 7.3.2.1 says 4107; tests and closed labs only). */
  allowCseWithoutAssociation: boolean;
  /** expirationTime a resource gets when the originator names none (TS-0001 9.6.1.3), in seconds. */
  defaultExpirationSeconds: number;
  /** Longest lifetime the CSE configures; later requested values are clamped to it (TS-0004 7.3.3.3). */
  maxExpirationSeconds: number;
  /** batchNotify duration when a subscription gives none (TS-0004 7.4.8.2.1 Recv-6.5), in seconds. */
  batchNotifyDefaultDurationSeconds: number;
  /** Interval of the expiration sweep in ms (0 disables). */
  expirySweepMs: number;
  /** Timeout for outgoing requests (notifications, verification, forwarding). */
  requestTimeoutMs: number;
  /**
   * SP-relative CSE-ID of this CSE's registrar (MN-CSE / ASN-CSE). Requests for CSEs not registered
   * here go to the <remoteCSE> with this CSE-ID (TS-0004 7.3.2.6); its <remoteCSE> is no registree.
   */
  registrarCseId?: string;
  /** Where notifications may go (notifications/target-policy.ts); default: public addresses only. */
  notifications?: NotificationTargetPolicyConfig;
  /**
   * Bound on one RETRIEVE over a subtree (rcn 4/5/6/8, discovery; TS-0004 7.3.3.14 / 7.3.3.17): at most
   * `maxCandidates` stored resources examined, `maxResults` returned and `maxMs` spent. Reaching one answers
   * with what was found and Content Status PARTIAL_CONTENT plus Content Offset (TS-0001 8.1.2) instead of
   * growing without bound; docs/discovery.md.
   */
  filterBudget: { maxCandidates: number; maxResults: number; maxMs: number };
  /**
   * Non-blocking requests (TS-0004 7.3.2.2, <request> 7.4.12): how long a <request> keeps its result when
   * the request gives no Result Persistence, the longest lifetime a request may ask for (longer: 4000), and how
   * many may wait or run at once, per originator and in all (each holds a timer and its request in memory).
   */
  nonBlocking: {
    defaultResultPersistenceMs: number;
    maxRequestLifetimeMs: number;
    maxPendingPerOriginator: number;
    maxPending: number;
  };
}

export const defaultCseConfig: CseConfig = {
  cseId: '/id-in',
  cseBaseName: 'cse-in',
  spId: 'm2msec.org',
  cseType: 1,
  adminOriginators: ['CAdmin'],
  poa: [],
  // Only what this CSE implements (docs/conformance.md): Release 3 and the Release 2a it stays compatible with.
  supportedReleaseVersions: ['2a', '3'],
  allowCseWithoutAssociation: false,
  defaultExpirationSeconds: 365 * 24 * 3600,
  maxExpirationSeconds: 5 * 365 * 24 * 3600,
  batchNotifyDefaultDurationSeconds: 60,
  expirySweepMs: 10_000,
  requestTimeoutMs: 5_000,
  filterBudget: { maxCandidates: 20_000, maxResults: 1_000, maxMs: 1_000 },
  nonBlocking: {
    defaultResultPersistenceMs: 10 * 60_000,
    maxRequestLifetimeMs: 24 * 3600_000,
    maxPendingPerOriginator: 64,
    maxPending: 10_000,
  },
};
