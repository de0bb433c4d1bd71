// TS-0008 clause 6.2.4 (Table 6.2.4-1, checked against V3.9.0): oneM2M Response Status Code -> CoAP
// Response Code. The exact code always also travels in the oneM2M-RSC option (6.2.2.4.10), since several map
// to one CoAP code. The only rsc -> CoAP table of m2msec (docs/errors.md).
import { Operation } from '@m2msec/protocol';
import { coapCode } from '../message/codec.js';

const c = coapCode;
const BAD_REQUEST = c(4, 0);
const BAD_OPTION = c(4, 2);
const FORBIDDEN = c(4, 3);
const NOT_FOUND = c(4, 4);
const INTERNAL = c(5, 0);
const NOT_IMPLEMENTED = c(5, 1);
const GATEWAY_TIMEOUT = c(5, 4);

/** Every row of Table 6.2.4-1 except 1000 and 2000, whose code depends on the operation (coapCodeFor). */
export const coapCodeTable: Readonly<Record<number, number>> = Object.freeze({
  1001: c(2, 1),
  // "2.01 or 2.04": 2.01 only when a <request> resource was created; this CSE's asynchronous answer has none.
  1002: c(2, 4),
  2001: c(2, 1),
  2002: c(2, 2),
  2004: c(2, 4),
  4000: BAD_REQUEST,
  4001: NOT_IMPLEMENTED,
  4004: NOT_FOUND,
  4005: c(4, 5),
  4008: GATEWAY_TIMEOUT,
  4015: c(4, 15),
  4101: FORBIDDEN,
  4102: BAD_REQUEST,
  4103: FORBIDDEN,
  4104: BAD_REQUEST,
  4105: FORBIDDEN,
  4106: FORBIDDEN,
  4107: FORBIDDEN,
  4108: FORBIDDEN,
  4109: FORBIDDEN,
  4110: BAD_REQUEST,
  4111: FORBIDDEN,
  4112: FORBIDDEN,
  4113: FORBIDDEN,
  4114: FORBIDDEN,
  4115: FORBIDDEN,
  4116: FORBIDDEN,
  4117: FORBIDDEN,
  4118: NOT_FOUND,
  4119: NOT_FOUND,
  4120: BAD_OPTION,
  4121: NOT_FOUND,
  4122: BAD_OPTION,
  4123: BAD_REQUEST,
  4124: BAD_REQUEST,
  4125: NOT_IMPLEMENTED,
  4126: FORBIDDEN,
  4127: FORBIDDEN,
  // Not in V3.9.0's table (added to TS-0004 later): a refusal of the originator like 4126, so 4.03 as in HTTP.
  4128: FORBIDDEN,
  4143: BAD_REQUEST,
  5000: INTERNAL,
  5001: NOT_IMPLEMENTED,
  5103: NOT_FOUND,
  5105: FORBIDDEN,
  5106: BAD_REQUEST,
  5107: NOT_FOUND,
  5203: FORBIDDEN,
  5204: INTERNAL,
  5205: FORBIDDEN,
  5206: NOT_IMPLEMENTED,
  5207: c(4, 6),
  5208: FORBIDDEN,
  5209: INTERNAL,
  5210: INTERNAL,
  5211: INTERNAL,
  5212: INTERNAL,
  5214: FORBIDDEN,
  5215: FORBIDDEN,
  5216: INTERNAL,
  5217: INTERNAL,
  5218: FORBIDDEN,
  5219: BAD_REQUEST,
  5220: BAD_REQUEST,
  5221: INTERNAL,
  5222: FORBIDDEN,
  6003: NOT_FOUND,
  6005: NOT_FOUND,
  6010: BAD_REQUEST,
  6020: INTERNAL,
  6021: INTERNAL,
  6022: BAD_REQUEST,
  6023: BAD_REQUEST,
  6024: BAD_REQUEST,
  6025: INTERNAL,
  6026: INTERNAL,
  6028: BAD_REQUEST,
  6029: BAD_REQUEST,
  6030: GATEWAY_TIMEOUT,
  6031: GATEWAY_TIMEOUT,
});

/**
 * CoAP response code for a status code. 2000 is 2.05 Content except for NOTIFY (2.04 Changed, the row
 * "2000 (for NOTIFY operation)") and UPDATE; 1000 has no row ("not used") and is answered 2.04. A code outside
 * the table (a newer release) is never a success: 4.03 for an unlisted 41xx / 52xx refusal, else 5.00.
 */
export function coapCodeFor(rsc: number, op: Operation | undefined): number {
  if (rsc === 2000) return op === Operation.NOTIFY || op === Operation.UPDATE ? c(2, 4) : c(2, 5);
  if (rsc === 1000) return c(2, 4);
  const mapped = coapCodeTable[rsc];
  if (mapped !== undefined) return mapped;
  if ((rsc >= 4100 && rsc < 4200) || (rsc >= 5100 && rsc < 5300)) return FORBIDDEN;
  return INTERNAL;
}
