// Namespaces and algorithm identifiers used in DSKPP messages (RFC 6063 sections 5.1, 8, Appendix D;
// RFC 6030 for PSKC; XML Encryption / Signature for key wrap and KeyInfo).

export const NS_DSKPP = 'urn:ietf:params:xml:ns:keyprov:dskpp';
export const NS_PSKC = 'urn:ietf:params:xml:ns:keyprov:pskc';
export const NS_DS = 'http://www.w3.org/2000/09/xmldsig#';
export const NS_XENC = 'http://www.w3.org/2001/04/xmlenc#';

/** The protocol version this implementation speaks (Version attribute). */
export const DSKPP_VERSION = '1.0';

/** DSKPP-PRF realizations (RFC 6063 Appendix D.2.1, D.3.1, the URNs the RFC's examples use); MAC algorithms. */
export const MAC_DSKPP_PRF_AES_128 = 'urn:ietf:params:xml:ns:keyprov:dskpp:prf-aes-128';
export const MAC_DSKPP_PRF_SHA256 = 'urn:ietf:params:xml:ns:keyprov:dskpp:prf-sha256';
export type MacAlgorithmUri = typeof MAC_DSKPP_PRF_AES_128 | typeof MAC_DSKPP_PRF_SHA256;

/** AES-128 key wrap (RFC 3394), the encryption algorithm of the pre-shared-key variants. */
export const ENC_KW_AES128 = 'http://www.w3.org/2001/04/xmlenc#kw-aes128';

/**
 * RSA-OAEP (MGF1 with SHA-1, XML Encryption 1.0): R_C encrypted to the server's certificate key in the
 * public-key 4-pass profile (docs/dskpp.md). Offered in SupportedEncryptionAlgorithms, chosen in
 * KeyProvServerHello/EncryptionAlgorithm.
 */
export const ENC_RSA_OAEP = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';
export type FourPassEncryptionUri = typeof ENC_KW_AES128 | typeof ENC_RSA_OAEP;

/**
 * PSKC EncryptionKey/ds:KeyName of the public-key 4-pass KeyContainer: K_PROV is wrapped under the
 * client's R_C, which has no other name.
 */
export const KEY_NAME_CLIENT_NONCE = 'DSKPP-R_C';

/** Key types that can be provisioned (PSKC Key/@Algorithm values) and their K_TOKEN lengths. */
export const KEY_TYPE_AES128 = 'http://www.w3.org/2001/04/xmlenc#aes128-cbc';
export const KEY_TYPE_HMAC_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256';
export type KeyTypeUri = typeof KEY_TYPE_AES128 | typeof KEY_TYPE_HMAC_SHA256;
export const KEY_TYPE_LENGTHS: Record<KeyTypeUri, number> = {
  [KEY_TYPE_AES128]: 16,
  [KEY_TYPE_HMAC_SHA256]: 32,
};

/** Key package format: a PSKC KeyContainer (RFC 6063 section 5, the URN of its list and examples B.2). */
export const KEY_PACKAGE_PSKC = 'urn:ietf:params:xml:ns:keyprov:dskpp:pskc-key-container';

/** Two-pass key protection methods (RFC 6063 section 5.1). */
export const KPM_TRANSPORT = 'urn:ietf:params:xml:schema:keyprov:dskpp:transport';
export const KPM_WRAP = 'urn:ietf:params:xml:schema:keyprov:dskpp:wrap';
export const KPM_PASSPHRASE_WRAP = 'urn:ietf:params:xml:schema:keyprov:dskpp:passphrase-wrap';

/** MIME type of the HTTP binding (RFC 6063 section 7.2). */
export const DSKPP_MEDIA_TYPE = 'application/dskpp+xml';
