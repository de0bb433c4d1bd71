// Option numbers: RFC 7252 5.10, RFC 7959 2.1 (Block1/Block2/Size1/Size2), and the oneM2M options of
// TS-0008 Table 6.2.2.4.0-1 (numbers as published there; the table notes they may change on IANA review).
export const Opt = {
  ifMatch: 1,
  uriHost: 3,
  etag: 4,
  ifNoneMatch: 5,
  observe: 6,
  uriPort: 7,
  locationPath: 8,
  uriPath: 11,
  contentFormat: 12,
  maxAge: 14,
  uriQuery: 15,
  accept: 17,
  locationQuery: 20,
  block2: 23,
  block1: 27,
  size2: 28,
  proxyUri: 35,
  proxyScheme: 39,
  size1: 60,
  // TS-0008 6.2.2.4
  oneM2mOT: 259,
  oneM2mRTURI: 263,
  oneM2mTY: 267,
  oneM2mRVI: 271,
  oneM2mASRI: 275,
  oneM2mFR: 279,
  oneM2mRQI: 283,
  oneM2mRQET: 291,
  oneM2mRSET: 295,
  oneM2mOET: 299,
  oneM2mEC: 303,
  oneM2mRSC: 307,
  oneM2mGID: 311,
  oneM2mCTO: 319,
  oneM2mCTS: 323,
  oneM2mATI: 327,
  oneM2mVSI: 331,
  oneM2mGTM: 335,
  oneM2mAUS: 339,
} as const;

/** RFC 7252 5.4.1: odd option numbers are critical. */
export const isCritical = (n: number): boolean => (n & 1) === 1;

/** Content formats (TS-0008 6.2.2.2, Table 6.2.2.2-1): the JSON ones this binding serialises. */
export const ContentFormat = {
  json: 50,
  onem2mResJson: 10001,
  onem2mNtfyJson: 10003,
  onem2mPreqJson: 10007,
  onem2mPrspJson: 10009,
} as const;

export const JSON_FORMATS: ReadonlySet<number> = new Set(Object.values(ContentFormat));

/** RFC 7252 3.2 uint option value: big-endian, no leading zero bytes. */
export function encodeUint(v: number): Buffer {
  if (v === 0) return Buffer.alloc(0);
  const bytes: number[] = [];
  let x = v;
  while (x > 0) {
    bytes.unshift(x & 0xff);
    x = Math.floor(x / 256);
  }
  return Buffer.from(bytes);
}

export function decodeUint(b: Buffer): number {
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}
