// RFC 7959 2.2: the Block1 / Block2 option value NUM | M | SZX, block size 2^(SZX+4), SZX 7 reserved.
import { decodeUint, encodeUint } from './options.js';

export interface Block {
  num: number;
  more: boolean;
  szx: number;
}

export const blockSize = (szx: number): number => 1 << (szx + 4);

/** undefined for a malformed value (longer than 3 bytes or SZX 7: 4.00 Bad Request, RFC 7959 2.2). */
export function parseBlock(v: Buffer): Block | undefined {
  if (v.length > 3) return undefined;
  const x = decodeUint(v);
  const szx = x & 7;
  if (szx === 7) return undefined;
  return { num: x >>> 4, more: (x & 8) !== 0, szx };
}

export function encodeBlock(b: Block): Buffer {
  return encodeUint(b.num * 16 + (b.more ? 8 : 0) + b.szx);
}

/** SZX of the largest block size not above `size` (16..1024). */
export function szxFor(size: number): number {
  let szx = 6;
  while (szx > 0 && blockSize(szx) > size) szx--;
  return szx;
}
