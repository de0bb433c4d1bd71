// @m2msec/crypto — oneM2M (TS-0003) key derivations, PRFs, CMAC, Milenage, GBA KDF, anti-replay
// window and key identifiers. Pure functions over bytes; no I/O.

export { AesCmac, aesCmac } from './cmac/aes-cmac.js';
export { aesCmacPrf128 } from './cmac/aes-cmac-prf-128.js';
export { constantTimeEqual } from './compare/constant-time-equal.js';
export { gbaKdf } from './gba/kdf.js';
export { deriveKsNaf, GBA_NAF_FC, type KsNafInput } from './gba/ks-naf.js';
export {
  defaultUaSecurityProtocolId,
  TLS_PSK_WITH_AES_128_CBC_SHA256,
  uaSecurityProtocolIdForTls,
} from './gba/ua-security-protocol-id.js';
export { HKDF_DIGEST_SIZES, type HkdfDigest } from './hkdf/digest.js';
export { hkdfExpand } from './hkdf/expand.js';
export { hkdfExtract } from './hkdf/extract.js';
export { hkdf } from './hkdf/hkdf.js';
export { CredIdTypeId, isCredIdTypeId, parseCredIdTypeId } from './ids/cred-id-type.js';
export { type CredentialID, formatCredentialID, parseCredentialID } from './ids/credential-id.js';
export { checkFqdn } from './ids/fqdn.js';
export { formatKcKeyIdentifier, type KcKeyIdentifier, parseKcKeyIdentifier } from './ids/kc-key-identifier.js';
export { formatKeID, type KeID, parseKeID } from './ids/ke-id.js';
export { formatKmID, type KmID, parseKmID, sameKmID } from './ids/km-id.js';
export { formatKpsaID, type KpsaID, parseKpsaID } from './ids/kpsa-id.js';
export { isSuid, parseSuid, Suid } from './ids/suid.js';
export {
  PrefetchingKeyDirectory,
  type PrefetchingKeyDirectoryOptions,
} from './key-directory/prefetching-key-directory.js';
export { deriveKe2eMaster, expandKe2e, type Ke2eKeys } from './keys/derive-ke2e.js';
export { deriveKm } from './keys/derive-km.js';
export { deriveKpsa } from './keys/derive-kpsa.js';
export { deriveMafPairwiseESPrimKey } from './keys/derive-maf-pairwise-esprim-key.js';
export { deriveSessionESPrimKey } from './keys/derive-session-esprim-key.js';
export { deriveUsageConstrainedKey, suidOctets } from './keys/derive-usage-constrained-key.js';
export * from './keys/labels.js';
export { splitBootstrapExport, splitConnectionExport, splitEscertkeExport } from './keys/split-exporter-output.js';
export { type CryptoErrorCode, CryptoInputError } from './lib/error.js';
export { type F1Output, type F2345Output, Milenage } from './milenage/milenage.js';
export { computeOPc } from './milenage/opc.js';
export { P_SHA256_MAX_LENGTH, pSha256 } from './prf/p-sha256.js';
export { tls12Prf } from './prf/tls12-prf.js';
export { MAX_SEQUENCE_NUMBER, type ReplayCheck, ReplayWindow } from './replay/replay-window.js';
