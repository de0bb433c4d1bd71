// End-to-end keys of TS-0003 10.3.6: Ke2e_master = HMAC-Hash(Salt, Kpsa) (or a Source-generated random value
// in place of Kpsa, NOTE of 10.3.6.1), expanded into Ke2e_msg_auth, Ke2e_msg_conf, Ke2e_att_auth and
// Ke2e_att_conf (10.3.6.2), by the crypto package's helpers.
//
// Salt: 10.3.6.1 lists the Source ESF End-Point's CSE-ID or AE-ID (UTF-8, NFKC) among the inputs but its
// formula has no place for it other than the Salt, and defines no Salt otherwise; here Salt = that ID.
//
// Which key each framework uses (10.3.6.2 NOTE 1: with an AEAD one key may serve both purposes):
//   ESPrim (AES-GCM)        -> pairwiseESPrimKey = Ke2e_msg_conf
//   ESData encryption (JWE) -> Ke2e_att_conf (dir / A256KW)
//   ESData signature (JWS)  -> Ke2e_att_auth (HS256)
import { deriveKe2eMaster, expandKe2e, type Ke2eKeys } from '@m2msec/crypto';

export interface E2EKeys extends Ke2eKeys {
  readonly ke2eMaster: Buffer;
}

export function saltForSource(sourceId: string): Buffer {
  return Buffer.from(sourceId.normalize('NFKC'), 'utf8');
}

/** Ke2e_master and its four expansions from Kpsa (8.6.2) or a Source-generated random value (8.6.3). */
export function deriveE2EKeys(keyingMaterial: Uint8Array, sourceId: string): E2EKeys {
  const ke2eMaster = deriveKe2eMaster(saltForSource(sourceId), keyingMaterial);
  return { ke2eMaster, ...expandKe2e(ke2eMaster) };
}
