// @m2msec/esdata — End-to-End Security of Data (TS-0003 8.5) with JOSE.
export {
  ESDATA_JWE_ALGS,
  ESDATA_JWE_ENCS,
  ESDATA_JWS_ALGS,
  ESDATA_NESTED_JWS_ALGS,
  type EsdataJweAlg,
  type EsdataJweEnc,
  type EsdataJwsAlg,
  isJweAlg,
  isJwsAlg,
} from './algorithms.js';
export {
  ContentSecurity,
  contentInfo,
  type EsdataClass,
  type JoseContentSecurity,
  type ProtectOptions,
  parseContentInfo,
  protectContent,
  type UnprotectedContent,
  unprotectContent,
} from './content-security.js';
export { type DecryptedJwe, decryptCompact, decryptJson } from './jwe/decrypt.js';
export { encryptCompact, encryptJson, type JweRecipient } from './jwe/encrypt.js';
export { type JwsSigner, signCompact, signJson } from './jws/sign.js';
export { type VerifiedJws, type VerifyOptions, verifyCompact, verifyJson } from './jws/verify.js';
export { type EsdataKey, type EsdataKeyResolver, keyResolver } from './keys.js';
export { EsdataError, type EsdataErrorCode } from './lib/errors.js';
