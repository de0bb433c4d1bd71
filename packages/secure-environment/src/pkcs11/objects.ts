import { pkcs11js } from './library.js';

const P = pkcs11js;

/** What the SE keeps in CKA_LABEL (as JSON) next to the token's own attributes. */
export interface KeyObjectMeta {
  m2msec: 1;
  kind: 'key';
  id: string;
  alg: 'AES' | 'HMAC' | 'EC-P256';
  len: number;
  label: string;
  usages: string[];
  exp: boolean;
  created: number;
  /** Set while a provisioning session's object is not yet committed. */
  pending?: string;
}

export interface CredentialObjectMeta {
  m2msec: 1;
  kind: 'credential';
  label: string;
  /** Object identity (data objects have no CKA_ID). */
  uid: string;
  /** Write sequence: after a crash between create-new and destroy-old, the newest wins. */
  seq: number;
  pending?: string;
}

export type ObjectMeta = KeyObjectMeta | CredentialObjectMeta;

/** The provisioning commit marker (see README, "PKCS#11 journal"). */
export interface Journal {
  sid: string;
  /** Objects (by CKA_ID, hex) whose CKA_LABEL becomes this meta: pending creations and updates. */
  setLabels: { uid: string; meta: ObjectMeta }[];
  /** Objects (by CKA_ID, hex) to destroy: deleted keys and credentials, overwritten credentials. */
  destroy: string[];
}

export const JOURNAL_APPLICATION = 'm2msec-journal';
export const CREDENTIAL_APPLICATION = 'm2msec';

export interface TokenObject {
  handle: Buffer;
  cls: number;
  uid: string;
  /** Raw CKA_LABEL text. */
  label: string;
  meta?: ObjectMeta;
  journal?: Journal;
}

/** P-256 OID 1.2.840.10045.3.1.7 as DER, for CKA_EC_PARAMS. */
export const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
const SPKI_P256_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

export function spkiFromEcPoint(ecPoint: Buffer): Buffer {
  // CKA_EC_POINT is a DER OCTET STRING around the uncompressed point (some tokens omit it)
  const point = ecPoint.length === 67 && ecPoint[0] === 0x04 && ecPoint[1] === 0x41 ? ecPoint.subarray(2) : ecPoint;
  return Buffer.concat([SPKI_P256_PREFIX, point]);
}

export function ecPointFromSpki(spki: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x04, 0x41]), spki.subarray(SPKI_P256_PREFIX.length)]);
}

function ulong(b: Buffer): number {
  return b.length >= 4 ? b.readUInt32LE(0) : 0;
}

/** Every token object with its class, CKA_ID and parsed m2msec metadata. */
export function listTokenObjects(m: pkcs11js.PKCS11, session: Buffer): TokenObject[] {
  m.C_FindObjectsInit(session, [{ type: P.CKA_TOKEN, value: true }]);
  const handles: Buffer[] = [];
  try {
    for (;;) {
      const batch = m.C_FindObjects(session, 256);
      if (batch.length === 0) break;
      handles.push(...batch);
    }
  } finally {
    m.C_FindObjectsFinal(session);
  }
  const out: TokenObject[] = [];
  for (const handle of handles) {
    const [cls, label] = m.C_GetAttributeValue(session, handle, [{ type: P.CKA_CLASS }, { type: P.CKA_LABEL }]);
    const text = (label!.value as Buffer).toString('utf8');
    const o: TokenObject = { handle, cls: ulong(cls!.value as Buffer), uid: '', label: text };
    if (o.cls !== P.CKO_DATA) {
      const [id] = m.C_GetAttributeValue(session, handle, [{ type: P.CKA_ID }]);
      o.uid = (id!.value as Buffer).toString('hex');
    } else {
      const [app] = m.C_GetAttributeValue(session, handle, [{ type: P.CKA_APPLICATION }]);
      if ((app!.value as Buffer).toString('utf8') === JOURNAL_APPLICATION) {
        const [value] = m.C_GetAttributeValue(session, handle, [{ type: P.CKA_VALUE }]);
        o.journal = parseJson(value!.value as Buffer) as Journal | undefined;
        out.push(o);
        continue;
      }
    }
    const meta = parseJson(Buffer.from(text, 'utf8')) as ObjectMeta | undefined;
    if (meta?.m2msec === 1) {
      o.meta = meta;
      if (meta.kind === 'credential') o.uid = meta.uid;
    }
    out.push(o);
  }
  return out;
}

function parseJson(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
}
