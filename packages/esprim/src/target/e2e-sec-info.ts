// The e2eSecInfo attribute (esi) of <CSEBase>, <remoteCSE> and <AE> (TS-0003 8.4.3.1.3, TS-0004 6.3.5.52):
// the SUIDs of the end-to-end features supported (esf), optional certificates (escert), and an optional
// sharedReceiverESPrimRandObject (esro) that spares Originators the sit=3 request (8.4.2 B.1).
import { Suid } from '@m2msec/crypto';
import type { ReceiverESPrimRandObject } from '../session/rand-object.js';

export interface E2ESecInfo {
  esf: number[];
  escert?: string[];
  esro?: ReceiverESPrimRandObject;
}

/** ESPrim SUIDs (TS-0004 Table 6.3.4.2.39-1): pre-provisioned, RSPF, MAF and certificate-based keys. */
export const ESPRIM_SUIDS: readonly number[] = [
  Suid.PreProvisionedEsprim,
  Suid.RspfEsprim,
  Suid.MafEsprim,
  Suid.CertificateEsprim,
];

export function e2eSecInfo(o: {
  suids: readonly number[];
  certificatesDer?: readonly Uint8Array[];
  shared?: ReceiverESPrimRandObject;
}): E2ESecInfo {
  return {
    esf: [...o.suids],
    ...(o.certificatesDer?.length ? { escert: o.certificatesDer.map((c) => Buffer.from(c).toString('base64')) } : {}),
    ...(o.shared ? { esro: o.shared } : {}),
  };
}

/** B.2c: the Receiver supports ESPrim when one of the ESPrim SUIDs is listed. */
export function supportsESPrim(esi: unknown): boolean {
  const esf = (esi as { esf?: unknown } | undefined)?.esf;
  return Array.isArray(esf) && esf.some((s) => ESPRIM_SUIDS.includes(s as number));
}
