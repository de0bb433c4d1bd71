// m2m:esprimProtocolAndAlgID (TS-0004 Table 6.3.4.2.41-1) and m2m:esprimKeyGenAlgID (Table 6.3.4.2.40-1).

/** JWE compact serialization with the AES-GCM content encryption named by "enc". */
export const EsprimProtocolAndAlgID = { A128GCM: 10, A192GCM: 11, A256GCM: 12 } as const;
export type EsprimProtocolAndAlgID = (typeof EsprimProtocolAndAlgID)[keyof typeof EsprimProtocolAndAlgID];
export type EsprimEnc = keyof typeof EsprimProtocolAndAlgID;

/** sessionESPrimKey derivation algorithms (TS-0003 Table 10.3.8.1-1): only HMAC-SHA256 is defined. */
export const EsprimKeyGenAlgID = { HMAC_SHA256: 1 } as const;
export type EsprimKeyGenAlgID = (typeof EsprimKeyGenAlgID)[keyof typeof EsprimKeyGenAlgID];

export const ALL_ESPRIM_ALGS: readonly EsprimProtocolAndAlgID[] = [10, 11, 12];

const ENC_BY_ID = new Map<number, EsprimEnc>([
  [10, 'A128GCM'],
  [11, 'A192GCM'],
  [12, 'A256GCM'],
]);

export function encOf(id: number): EsprimEnc | undefined {
  return ENC_BY_ID.get(id);
}

export function algIdOf(enc: string): EsprimProtocolAndAlgID | undefined {
  return Object.hasOwn(EsprimProtocolAndAlgID, enc) ? EsprimProtocolAndAlgID[enc as EsprimEnc] : undefined;
}

/** CEK length in bytes for an "enc" value (RFC 7518 section 5.3). */
export function cekLength(enc: EsprimEnc): 16 | 24 | 32 {
  return enc === 'A128GCM' ? 16 : enc === 'A192GCM' ? 24 : 32;
}
