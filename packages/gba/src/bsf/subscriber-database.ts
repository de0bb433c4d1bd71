// The HSS stand-in of the BSF: subscribers (IMPI, K, OPc, SEQ_HE, AMF, GUSS) in a store collection.
// K || OPc is sealed by the SE (sealing.ts); reads for administration never return key material.
import { computeOPc } from '@m2msec/crypto';
import type { KeyRef, SecureEnvironment } from '@m2msec/secure-environment';
import type { Collection, CollectionStore } from '@m2msec/store';
import { DEFAULT_SQN_POLICY, maxSeq } from '../aka/sqn-policy.js';
import { zeroise } from '../lib/bytes.js';
import { GbaError } from '../lib/errors.js';
import { canonicalNafFqdn, checkImpi } from '../lib/validate.js';
import { collectionNames, type SubscriberRecord } from './records.js';
import { createSealer, type Sealer } from './sealing.js';

export interface SubscriberProvisioning {
  readonly impi: string;
  /** Subscriber key K, 16 bytes. */
  readonly k: Uint8Array;
  /** OPc (16 bytes), or OP from which OPc is computed (TS 35.206 4.1). Exactly one. */
  readonly opc?: Uint8Array;
  readonly op?: Uint8Array;
  /** AMF, 2 bytes; default 0x0000 (separation bit 0: a UMTS vector for GBA, not an EPS one, TS 33.401 6.1.1). */
  readonly amf?: Uint8Array;
  /** SEQ_HE; default: kept from an existing record of this IMPI (SQNs never move back by accident), else 0. */
  readonly seqHe?: number;
  readonly enroleeId?: string;
  readonly enrolmentTargets?: readonly string[];
}

/** What administration sees of a subscriber: everything except K and OPc. */
export interface SubscriberInfo {
  readonly impi: string;
  readonly seqHe: number;
  readonly amf: string;
  readonly enroleeId?: string;
  readonly enrolmentTargets: readonly string[];
}

export interface SubscriberDatabaseOptions {
  readonly store: CollectionStore;
  readonly se: SecureEnvironment;
  /** An SE AES key with the 'encrypt' usage, protecting K || OPc and Ks at rest. */
  readonly kek: KeyRef;
  /** Collection name prefix (default "gba"). */
  readonly prefix?: string;
}

export class SubscriberDatabase {
  readonly #collection: Collection<SubscriberRecord>;
  readonly #sealer: Sealer;

  constructor(options: SubscriberDatabaseOptions) {
    this.#collection = options.store.collection<SubscriberRecord>(collectionNames(options.prefix ?? 'gba').subscribers);
    this.#sealer = createSealer(options.se, options.kek);
  }

  /** Creates or replaces a subscriber. K / OP / OPc are copied into the sealed record, never kept in memory. */
  async provision(p: SubscriberProvisioning): Promise<SubscriberInfo> {
    const impi = checkImpi(p.impi);
    if (!(p.k instanceof Uint8Array) || p.k.length !== 16) throw bad('K must be 16 bytes');
    if ((p.opc === undefined) === (p.op === undefined)) throw bad('give exactly one of OP and OPc');
    const opGiven = (p.opc ?? p.op)!;
    if (!(opGiven instanceof Uint8Array) || opGiven.length !== 16)
      throw bad(`${p.opc ? 'OPc' : 'OP'} must be 16 bytes`);
    const amf = p.amf ?? Buffer.alloc(2);
    if (!(amf instanceof Uint8Array) || amf.length !== 2) throw bad('AMF must be 2 bytes');
    const seqHe = p.seqHe ?? (await this.#collection.get(impi))?.seqHe ?? 0;
    if (!Number.isSafeInteger(seqHe) || seqHe < 0 || seqHe >= maxSeq(DEFAULT_SQN_POLICY))
      throw bad('SEQ_HE out of range');
    if (p.enroleeId !== undefined && (typeof p.enroleeId !== 'string' || p.enroleeId.length === 0)) {
      throw bad('Enrolee-ID must be a non-empty string');
    }
    const targets = [...new Set((p.enrolmentTargets ?? []).map((t) => canonicalNafFqdn(t, 'Enrolment Target')))];
    const opc = p.opc ? Buffer.from(p.opc) : computeOPc(p.k, p.op!);
    const material = Buffer.concat([p.k, opc]);
    try {
      const record: SubscriberRecord = {
        v: 1,
        impi,
        keys: await this.#sealer.seal('subscriber', impi, material),
        seqHe,
        amf: Buffer.from(amf).toString('hex'),
        ...(p.enroleeId !== undefined ? { enroleeId: p.enroleeId } : {}),
        enrolmentTargets: targets,
      };
      await this.#collection.put(impi, record);
      return info(record);
    } finally {
      zeroise(material, opc);
    }
  }

  async get(impi: string): Promise<SubscriberInfo | undefined> {
    const r = await this.#collection.get(impi);
    return r ? info(r) : undefined;
  }

  async delete(impi: string): Promise<boolean> {
    return this.#collection.delete(impi);
  }
}

function info(r: SubscriberRecord): SubscriberInfo {
  return {
    impi: r.impi,
    seqHe: r.seqHe,
    amf: r.amf,
    ...(r.enroleeId !== undefined ? { enroleeId: r.enroleeId } : {}),
    enrolmentTargets: r.enrolmentTargets,
  };
}

function bad(message: string): GbaError {
  return new GbaError(400, 'ERR_MALFORMED', message);
}
