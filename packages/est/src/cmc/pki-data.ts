// PKIData reader (RFC 5272 3.2.1.1): controls, PKCS#10 TaggedCertificationRequests and whatever
// else the client put there (CRMF requests, nested CMS, other messages), which the caller refuses.
import { EstError } from '../errors.js';
import { children, content, oidToString, readTlv, type Tlv, whole } from '../lib/der.js';

export interface TaggedAttribute {
  readonly bodyPartId: number;
  readonly type: string;
  /** DER of each value in attrValues. */
  readonly values: readonly Uint8Array[];
}

export interface TaggedCertificationRequest {
  readonly bodyPartId: number;
  /** DER CertificationRequest (PKCS#10). */
  readonly csr: Uint8Array;
}

export interface PkiData {
  readonly controls: readonly TaggedAttribute[];
  readonly requests: readonly TaggedCertificationRequest[];
  /** Body parts of kinds this server does not process ('crm', 'orm', 'cms', 'other'), by body part id. */
  readonly unsupported: ReadonlyArray<{ kind: string; bodyPartId: number }>;
}

const bad = (m: string) => new EstError(400, `malformed PKIData: ${m}`);

/** BodyPartID ::= INTEGER (0..4294967295). */
export function readBodyPartId(buf: Uint8Array, t: Tlv | undefined): number {
  if (t?.tag !== 0x02) throw bad('a bodyPartID is not an INTEGER');
  const c = content(buf, t);
  if (c.length === 0 || c.length > 5 || (c[0]! & 0x80) !== 0) throw bad('a bodyPartID is out of range');
  let n = 0;
  for (const b of c) n = n * 256 + b;
  if (n > 0xffffffff) throw bad('a bodyPartID is out of range');
  return n;
}

export function parsePkiData(der: Uint8Array): PkiData {
  const top = readTlv(der, 0, der.length, 'PKIData');
  if (top.tag !== 0x30 || top.end !== der.length) throw bad('not one SEQUENCE');
  const [controlSeq, reqSeq, cmsSeq, otherSeq, ...rest] = children(der, top, 'PKIData');
  if (!controlSeq || !reqSeq || !cmsSeq || !otherSeq || rest.length) throw bad('PKIData has four sequences');
  for (const s of [controlSeq, reqSeq, cmsSeq, otherSeq])
    if (s.tag !== 0x30) throw bad('a PKIData field is not a SEQUENCE');
  const controls: TaggedAttribute[] = [];
  for (const a of children(der, controlSeq, 'controlSequence')) {
    const [id, type, values, ...more] = a.tag === 0x30 ? children(der, a, 'TaggedAttribute') : [];
    if (!type || !values || more.length || type.tag !== 0x06 || values.tag !== 0x31) throw bad('TaggedAttribute');
    controls.push({
      bodyPartId: readBodyPartId(der, id),
      type: oidToString(content(der, type)),
      values: children(der, values, 'attrValues').map((v) => whole(der, v)),
    });
  }
  const requests: TaggedCertificationRequest[] = [];
  const unsupported: Array<{ kind: string; bodyPartId: number }> = [];
  for (const r of children(der, reqSeq, 'reqSequence')) {
    const parts = children(der, r, 'TaggedRequest');
    if (r.tag === 0xa0) {
      const [id, csr, ...more] = parts;
      if (!csr || more.length || csr.tag !== 0x30) throw bad('TaggedCertificationRequest');
      requests.push({ bodyPartId: readBodyPartId(der, id), csr: whole(der, csr) });
    } else if (r.tag === 0xa1 || r.tag === 0xa2) {
      // crm: CertReqMsg, certReqId inside; orm: bodyPartID first. Reported, never processed.
      const id = r.tag === 0xa2 ? parts[0] : undefined;
      unsupported.push({ kind: r.tag === 0xa1 ? 'crm' : 'orm', bodyPartId: id ? readBodyPartId(der, id) : 0 });
    } else throw bad('unknown TaggedRequest choice');
  }
  for (const [seq, kind] of [
    [cmsSeq, 'cms'],
    [otherSeq, 'other'],
  ] as const) {
    for (const c of children(der, seq, kind)) {
      const [id] = c.tag === 0x30 ? children(der, c, kind) : [];
      unsupported.push({ kind, bodyPartId: readBodyPartId(der, id) });
    }
  }
  return { controls, requests, unsupported };
}
