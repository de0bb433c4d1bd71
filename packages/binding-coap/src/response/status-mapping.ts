// TS-0008 Table 6.2.4-1: oneM2M Response Status Code -> CoAP Response Code. The exact code always also
// travels in the oneM2M-RSC option (6.2.4), since several map to one CoAP code.
import { Operation } from '@m2msec/protocol';
import { coapCode } from '../message/codec.js';

const c = coapCode;
const table: Readonly<Record<number, number>> = {
  1001: c(2, 1),
  1002: c(2, 4),
  2001: c(2, 1),
  2002: c(2, 2),
  2004: c(2, 4),
  4000: c(4, 0),
  4001: c(5, 1),
  4004: c(4, 4),
  4005: c(4, 5),
  4008: c(5, 4),
  4015: c(4, 15),
  4102: c(4, 0),
  4104: c(4, 0),
  4110: c(4, 0),
  4118: c(4, 4),
  4119: c(4, 4),
  4120: c(4, 2),
  4121: c(4, 4),
  4122: c(4, 2),
  4123: c(4, 0),
  4124: c(4, 0),
  4125: c(5, 1),
  4143: c(4, 0),
  5000: c(5, 0),
  5001: c(5, 1),
  5103: c(4, 4),
  5106: c(4, 0),
  5107: c(4, 4),
  5204: c(5, 0),
  5206: c(5, 1),
  5207: c(4, 6),
  5209: c(5, 0),
  5210: c(5, 0),
  5211: c(5, 0),
  5212: c(5, 0),
  5216: c(5, 0),
  5217: c(5, 0),
  5219: c(4, 0),
  5220: c(4, 0),
  5221: c(5, 0),
  6003: c(4, 4),
  6005: c(4, 4),
  6010: c(4, 0),
};

/** CoAP response code for a status code; unlisted 41xx / 52xx are Forbidden, anything else 5.00. */
export function coapCodeFor(rsc: number, op: Operation | undefined): number {
  if (rsc === 2000) return op === Operation.NOTIFY || op === Operation.UPDATE ? c(2, 4) : c(2, 5);
  if (rsc === 1000) return c(2, 4);
  const mapped = table[rsc];
  if (mapped !== undefined) return mapped;
  if ((rsc >= 4100 && rsc < 4200) || (rsc >= 5100 && rsc < 5300)) return c(4, 3);
  return c(5, 0);
}
