/** TLS exporter labels of TS-0003 clause 10.3.1 (RFC 5705), each used with length 48 and no context. */
export const EXPORTER_LABEL_BOOTSTRAP = 'EXPORTER-oneM2M-Bootstrap';
export const EXPORTER_LABEL_CONNECTION = 'EXPORTER-oneM2M-Connection';
export const EXPORTER_LABEL_ESCERTKE = 'EXPORTER-oneM2M-ESCertKE';
export const EXPORTER_LENGTH = 48;

/** HMAC labels of TS-0003 clauses 10.3.2, 10.3.3, 10.3.7 and 10.3.8.2. */
export const LABEL_KM = 'oneM2M Enrolment Key to Master Credential derivation';
export const LABEL_KPSA = 'oneM2M Enrolment Key to Provisioned Secure Connection Key derivation';
export const LABEL_USAGE_CONSTRAINED = 'oneM2M Enrolment Key to Usage-Constrained Symmetric Key derivation';
export const LABEL_SESSION_ESPRIM_KEY = 'oneM2M HMAC-SHA256 sessionESPrimKey derivation algorithm';

/** Expansion labels of TS-0003 clause 10.3.6.2, in block order T(1)..T(4). */
export const LABELS_KE2E = [
  'E2E Message Authentication Key',
  'E2E Message Confidentiality Key',
  'E2E Attribute Authenticity Key',
  'E2E Attribute Confidentiality Key',
] as const;

/**
 * The "reserved string" of the MAF ESPrim Framework (TS-0003 8.4.2 A, C.6a.4), which the clause names
 * but never gives: m2msec's choice, in the style of the clause 10.3 labels (docs/end-to-end-security.md).
 */
export const LABEL_MAF_PAIRWISE_ESPRIM_KEY = 'oneM2M MAF Connection Key to pairwiseESPrimKey derivation';
