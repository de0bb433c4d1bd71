import type { IdContext, Originator } from '@m2msec/protocol';

/**
 * Who handed this CSE the request, as far as the transport and the security association tell
 * (TS-0003 8.2.1: the entity bound to the association). `unknown`: no association, so an AE and a
 * CSE look alike.
 */
export type Peer =
  | { readonly kind: 'ae' }
  | { readonly kind: 'cse' /** SP-relative CSE-ID bound to the association. */; readonly cseId: string }
  | { readonly kind: 'remote-sp' /** The other SP's M2M-SP-ID without '//'. */; readonly spId: string }
  | { readonly kind: 'unknown' };

export interface ClassifyContext extends IdContext {
  /** SP-relative CSE-IDs of the CSEs registered to this CSE (TS-0004 7.3.2.1 "Registree CSE"). */
  readonly registreeCseIds: ReadonlySet<string>;
}

/** The request facts the originator rules depend on. */
export interface OriginatorRequest {
  readonly op: number;
  readonly ty?: number;
  /** From as received; undefined or '' when absent. */
  readonly fr?: string;
}

/** An originator that names an AE or a CSE. */
export interface IdentifiedOriginator {
  readonly kind: 'cse' | 'ae-c' | 'ae-s';
  /** The parsed From. For '/S…' IDs that name a known CSE, re-classified as that CSE. */
  readonly originator: Originator;
  /** Normalised ID: SP-relative within this SP, absolute for other SPs (TS-0001 7.2). */
  readonly id: string;
  /** AE-ID-Stem of an AE, undefined for a CSE. */
  readonly stem: string | undefined;
  /** The ID belongs to this CSE's M2M Service Provider domain. */
  readonly sameSp: boolean;
  /**
   * Whether this CSE is (claimed to be) the registrar: a C-type AE-ID whose CSE-ID part is ours, an
   * S-type AE-ID-Stem received from an AE over Mca, a CSE-ID of one of our registree CSEs.
   * undefined when the ID alone cannot tell (an SP-relative S-type AE-ID: look it up).
   */
  readonly registrarIsThisCse: boolean | undefined;
  /** The ID is this CSE's own CSE-ID or a C-type AE-ID under it. */
  readonly ownedByThisCse: boolean;
  /**
   * TS-0004 7.3.2.1, peer is a registree CSE P: From is the CSE-ID of another registree CSE, or a
   * C-type AE-ID whose CSE-ID part is another registree's. Always false for other peers.
   */
  readonly ownedByAnotherRegistree: boolean;
  /** TS-0004 7.3.2.1: From is a CSE-relative C-type AE-ID-Stem (4106 when a CSE sends it). */
  readonly cseRelativeCStem: boolean;
  /** Over Mcc' only: the ID belongs to the peer's SP. true for other peers. */
  readonly withinPeerSp: boolean;
}

/** CREATE <AE> whose From names no complete AE-ID-Stem yet (TS-0001 10.2.2.2 step 002 iii-v). */
export interface UnassignedAeOriginator {
  readonly kind: 'unassigned-ae';
  /** 'C' or 'S' when the AE asked for that stem type, undefined when From was absent. */
  readonly requested: 'C' | 'S' | undefined;
  readonly id: '';
}

export type ClassifiedOriginator = IdentifiedOriginator | UnassignedAeOriginator;
