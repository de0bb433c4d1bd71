// originatorESPrimRandObject and receiverESPrimRandObject (TS-0003 8.4.3.1.1 / 8.4.3.1.2; TS-0004
// 6.3.5.50 / 6.3.5.51), in their short-name JSON form (TS-0004 Table 8.2.3-x: esri, esrv, esrx, esk,
// esks, espa).
import { randomBytes } from 'node:crypto';
import { formatTimestamp, parseTimestamp } from '@m2msec/protocol';
import { ALL_ESPRIM_ALGS, EsprimKeyGenAlgID, type EsprimProtocolAndAlgID, encOf } from '../algorithms.js';
import { esprimError } from '../lib/errors.js';

export interface ReceiverESPrimRandObject {
  esri: string;
  esrv: string;
  esrx: string;
  esks: number[];
  espa: number[];
}

export interface OriginatorESPrimRandObject {
  esri: string;
  esrv: string;
  esrx: string;
  esk: number;
  espa: number[];
}

const NCNAME = /^[A-Za-z_][A-Za-z0-9._-]{0,127}$/;
/**
 * esprimRandValue is an xs:NCName carrying a 128-bit value (TS-0004 6.3.5.50). The spec gives no encoding;
 * here it is 'v' followed by 32 lower-case hex digits, so it is an NCName and decodes to exactly 16 bytes.
 */
const RAND_VALUE = /^v[0-9a-f]{32}$/;

export function newRandValue(): string {
  return `v${randomBytes(16).toString('hex')}`;
}

/**
 * esprimRandID prefixes: the spec asks that a receiver's ID show whether the object is shared
 * (TS-0003 8.4.2 B.1a.1 / B.2e); 's' = shared, 'u' = unique to one originator, 'o' = an originator's.
 */
export function newRandId(kind: 'shared' | 'unique' | 'originator'): string {
  const p = kind === 'shared' ? 's' : kind === 'unique' ? 'u' : 'o';
  return `${p}${randomBytes(12).toString('base64url')}`;
}

export function isSharedRandId(esri: string): boolean {
  return esri.startsWith('s');
}

export function newReceiverRandObject(o: {
  shared: boolean;
  lifetimeMs: number;
  now?: Date;
  espa?: readonly EsprimProtocolAndAlgID[];
}): ReceiverESPrimRandObject {
  const now = o.now ?? new Date();
  return {
    esri: newRandId(o.shared ? 'shared' : 'unique'),
    esrv: newRandValue(),
    esrx: formatTimestamp(new Date(now.getTime() + o.lifetimeMs)),
    esks: [EsprimKeyGenAlgID.HMAC_SHA256],
    espa: [...(o.espa ?? ALL_ESPRIM_ALGS)],
  };
}

/** TS-0003 8.4.2 B.2g: expiry no later than the receiver's, one key-generation algorithm, AEADs a subset. */
export function newOriginatorRandObject(
  receiver: ReceiverESPrimRandObject,
  o: { lifetimeMs: number; now?: Date; espa?: readonly EsprimProtocolAndAlgID[] },
): OriginatorESPrimRandObject {
  const now = o.now ?? new Date();
  const wanted = Math.min(now.getTime() + o.lifetimeMs, parseTimestamp(receiver.esrx).getTime());
  const espa = (o.espa ?? ALL_ESPRIM_ALGS).filter((a) => receiver.espa.includes(a));
  if (espa.length === 0)
    throw esprimError('unsupportedOption', 'the receiver offers none of our ESPrim AEAD algorithms');
  if (!receiver.esks.includes(EsprimKeyGenAlgID.HMAC_SHA256)) {
    throw esprimError('unsupportedOption', 'the receiver offers no sessionESPrimKey derivation algorithm we implement');
  }
  return {
    esri: newRandId('originator'),
    esrv: newRandValue(),
    esrx: formatTimestamp(new Date(Math.floor(wanted / 1000) * 1000)),
    esk: EsprimKeyGenAlgID.HMAC_SHA256,
    espa,
  };
}

const isIntList = (v: unknown): v is number[] =>
  Array.isArray(v) && v.length > 0 && v.length <= 16 && v.every((x) => Number.isSafeInteger(x));

function checkCommon(v: Record<string, unknown>, what: string, kind: 'unknownOrigRandId' | 'unknownRecvRandId') {
  if (typeof v.esri !== 'string' || !NCNAME.test(v.esri)) throw esprimError(kind, `${what}: esri is not an NCName`);
  if (typeof v.esrv !== 'string' || !RAND_VALUE.test(v.esrv))
    throw esprimError(kind, `${what}: esrv is not a 128-bit rand value`);
  try {
    parseTimestamp(v.esrx, `${what} esrx`);
  } catch {
    throw esprimError(kind, `${what}: esrx is not an absolute m2m:timestamp`);
  }
  if (!isIntList(v.espa)) throw esprimError(kind, `${what}: espa must be a non-empty list of integers`);
}

/** Validates an "oro" header value; anything malformed is 4113 (the originator rand object cannot be used). */
export function parseOriginatorRandObject(v: unknown): OriginatorESPrimRandObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw esprimError('unknownOrigRandId', 'oro is not an originatorESPrimRandObject');
  const o = v as Record<string, unknown>;
  checkCommon(o, 'oro', 'unknownOrigRandId');
  if (!Number.isSafeInteger(o.esk)) throw esprimError('unknownOrigRandId', 'oro: esk must be an integer');
  const keys = Object.keys(o).sort().join(',');
  if (keys !== 'esk,espa,esri,esrv,esrx') throw esprimError('unknownOrigRandId', `oro: unexpected members (${keys})`);
  return {
    esri: o.esri as string,
    esrv: o.esrv as string,
    esrx: o.esrx as string,
    esk: o.esk as number,
    espa: o.espa as number[],
  };
}

export function parseReceiverRandObject(v: unknown): ReceiverESPrimRandObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw esprimError('unknownRecvRandId', 'receiverESPrimRandObject is not an object');
  const o = v as Record<string, unknown>;
  checkCommon(o, 'receiverESPrimRandObject', 'unknownRecvRandId');
  if (!isIntList(o.esks)) throw esprimError('unknownRecvRandId', 'receiverESPrimRandObject: esks must be a list');
  return {
    esri: o.esri as string,
    esrv: o.esrv as string,
    esrx: o.esrx as string,
    esks: o.esks as number[],
    espa: o.espa as number[],
  };
}

const expiries = new WeakMap<object, number>();
/** esrx as epoch ms, memoized per (immutable) rand object: it is read on every ESPrim Object. */
export function randExpiry(r: { esrx: string }): number {
  let t = expiries.get(r);
  if (t === undefined) {
    t = parseTimestamp(r.esrx).getTime();
    expiries.set(r, t);
  }
  return t;
}

/**
 * The octets of a rand object fed to the sessionESPrimKey derivation (TS-0003 10.3.8.2). The spec does not
 * fix them; here: the UTF-8 JSON of the short-name object with members in the order of TS-0004 Table
 * 6.3.5.50/51 (esri, esrv, esrx, esk|esks, espa). Binding every member (not only the rand value) means an
 * altered expiry or algorithm list in a relayed "oro" yields a different key, so the MAC check fails.
 */
export function randObjectOctets(r: ReceiverESPrimRandObject | OriginatorESPrimRandObject): Buffer {
  const ordered =
    'esk' in r
      ? { esri: r.esri, esrv: r.esrv, esrx: r.esrx, esk: r.esk, espa: r.espa }
      : { esri: r.esri, esrv: r.esrv, esrx: r.esrx, esks: r.esks, espa: r.espa };
  return Buffer.from(JSON.stringify(ordered), 'utf8');
}

export function supportedAlgs(espa: readonly number[]): boolean {
  return espa.every((a) => encOf(a) !== undefined);
}
