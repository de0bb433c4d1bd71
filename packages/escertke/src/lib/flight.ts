// Where one ESCertKE Message ends (TS-0003 Table 8.7.2.2-1): each message is one TLS 1.2 flight, found by
// reading the record layer (RFC 5246 6.2.1) rather than by timing.
//   1: ClientHello                         -> a complete handshake record
//   2: ServerHello .. ServerHelloDone      -> the handshake message of type 14 has arrived
//   3: Certificate .. [CCS] Finished       -> a ChangeCipherSpec record and one record after it
//   4: [CCS] Finished                      -> likewise
// An alert record ends any flight (the handshake failed; the peer learns it from the alert).
const HANDSHAKE = 22;
const CCS = 20;
const ALERT = 21;
const SERVER_HELLO_DONE = 14;

interface Record {
  type: number;
  body: Buffer;
}

function records(buf: Buffer): { list: Record[]; rest: number } {
  const list: Record[] = [];
  let off = 0;
  while (buf.length - off >= 5) {
    const len = buf.readUInt16BE(off + 3);
    if (buf.length - off - 5 < len) break;
    list.push({ type: buf[off]!, body: buf.subarray(off + 5, off + 5 + len) });
    off += 5 + len;
  }
  return { list, rest: buf.length - off };
}

function hasServerHelloDone(list: Record[]): boolean {
  const hs = Buffer.concat(list.filter((r) => r.type === HANDSHAKE).map((r) => r.body));
  let off = 0;
  while (hs.length - off >= 4) {
    if (hs[off] === SERVER_HELLO_DONE) return true;
    off += 4 + hs.readUIntBE(off + 1, 3);
  }
  return false;
}

export function flightComplete(n: 1 | 2 | 3 | 4, buf: Buffer): boolean {
  const { list, rest } = records(buf);
  if (rest !== 0 || list.length === 0) return false;
  if (list.some((r) => r.type === ALERT)) return true;
  if (n === 1) return list.some((r) => r.type === HANDSHAKE);
  if (n === 2) return hasServerHelloDone(list);
  const ccs = list.findIndex((r) => r.type === CCS);
  return ccs >= 0 && ccs < list.length - 1;
}

/** The flight must be TLS records only, each a handshake, CCS or alert record of TLS 1.2 (0x0303) or hello (0x0301). */
export function wellFormedFlight(buf: Buffer): boolean {
  const { list, rest } = records(buf);
  if (rest !== 0 || list.length === 0) return false;
  let off = 0;
  for (const r of list) {
    const version = buf.readUInt16BE(off + 1);
    if (![HANDSHAKE, CCS, ALERT].includes(r.type) || (version !== 0x0303 && version !== 0x0301)) return false;
    off += 5 + r.body.length;
  }
  return true;
}
