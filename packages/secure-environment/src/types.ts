// Public types of the Secure Environment abstraction (TS-0003 6.3.1; the Annex L function set
// narrowed to what m2msec needs). Callers hold KeyHandles: metadata only, never key bytes.

/** Key algorithms an SE holds. Symmetric lengths are in bytes. */
export type KeyAlgorithm = 'AES' | 'HMAC' | 'EC-P256';

/**
 * What a key may be used for. Checked on every operation (fail closed).
 * - mac: HMAC-SHA-256 (HMAC keys) or AES-CMAC (AES keys)
 * - derive: base key of deriveKey (TS-0003 10.3 derivations)
 * - encrypt: AES-GCM encrypt / decrypt
 * - wrap: AES-KW key encryption key
 * - sign: ECDSA P-256 with SHA-256
 * - tls-psk: may be handed to the TLS layer by exportPskForTls (the only raw-bytes exit)
 */
export type KeyUsage = 'mac' | 'derive' | 'encrypt' | 'wrap' | 'sign' | 'tls-psk';

export interface KeyHandle {
  /** Logical key identifier (e.g. a KpsaID), unique within the SE. */
  readonly id: string;
  readonly algorithm: KeyAlgorithm;
  /** Key length in bytes (32 for EC-P256 private keys). */
  readonly length: number;
  readonly label: string;
  readonly usages: readonly KeyUsage[];
  /** May be wrapped out of the SE under another SE key (wrapKey). */
  readonly exportable: boolean;
  /** Creation time, ms since epoch. */
  readonly createdAt: number;
}

/** A handle or a key identifier. */
export type KeyRef = KeyHandle | string;

export interface KeyOptions {
  /** Logical identifier; random when omitted (required inside provisioning sessions). */
  id?: string;
  label?: string;
  usages: readonly KeyUsage[];
  exportable?: boolean;
}

export type GenerateKeySpec =
  | (KeyOptions & { algorithm: 'AES'; length: 16 | 32 })
  | (KeyOptions & { algorithm: 'HMAC'; length?: number })
  | (KeyOptions & { algorithm: 'EC-P256' });

/** Raw import: AES / HMAC bytes, or a PKCS#8 DER private key for EC-P256. */
export type ImportKeySpec = KeyOptions & { algorithm: KeyAlgorithm };

/** Derived keys are 32 bytes: an HMAC key or an AES-256 key. */
export type DeriveKeySpec = KeyOptions & { algorithm: 'HMAC' | 'AES' };

/**
 * deriveKey computes HMAC-SHA-256(base, label || context) inside the SE. With the TS-0003 10.3
 * labels this is Km (10.3.2), Kpsa (10.3.3) and usage-constrained keys (10.3.7).
 */
export interface DeriveParams {
  label: Uint8Array | string;
  context: Uint8Array | string;
}

export type MacAlgorithm = 'HMAC-SHA-256' | 'AES-CMAC';

export interface AeadCiphertext {
  /** 12-byte IV chosen by the SE. */
  iv: Uint8Array;
  /** Ciphertext followed by the 16-byte GCM tag. */
  ciphertext: Uint8Array;
}

/** TS-0003 Table 6.3.1-1 protection levels. */
export type ProtectionLevel = 0 | 1 | 2 | 3;

export interface SecureEnvironmentDescription {
  kind: 'software' | 'pkcs11';
  protectionLevel: ProtectionLevel;
  /** Why this level: what protects the keys here, in a sentence. */
  protectionReason: string;
  capabilities: {
    algorithms: KeyAlgorithm[];
    macAlgorithms: MacAlgorithm[];
    wrapAlgorithms: 'AES-KW'[];
    provisioningSessions: true;
  };
  /** Token facts for a PKCS#11 SE (manufacturer, model, hardware slot). */
  token?: { manufacturer: string; model: string; label: string; hardwareSlot: boolean };
}

export type AuditOperation =
  | 'generate-key'
  | 'import-key'
  | 'unwrap-key'
  | 'wrap-key'
  | 'derive-key'
  | 'mac'
  | 'verify-mac'
  | 'sign'
  | 'verify'
  | 'get-public-key'
  | 'encrypt'
  | 'decrypt'
  | 'delete-key'
  | 'export-psk-for-tls'
  | 'write-credential'
  | 'read-credential'
  | 'delete-credential'
  | 'provisioning-begin'
  | 'provisioning-commit'
  | 'provisioning-abort'
  | 'recovery';

/** One audit record. Never carries key bytes: identifiers, outcome and time only. */
export interface AuditEvent {
  time: string;
  se: 'software' | 'pkcs11';
  operation: AuditOperation;
  keyId?: string;
  credentialLabel?: string;
  sessionId?: string;
  outcome: 'success' | 'failure';
  errorCode?: string;
}

export type AuditSink = (event: AuditEvent) => void;

/** Minimal structured logger; messages never carry key bytes. */
export interface SecureEnvironmentLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** An operation staged in a provisioning session (TS-0003 8.3 provisioning, DESIGN section 3). */
export type ProvisioningOperation =
  | { op: 'generate-key'; spec: GenerateKeySpec & { id: string } }
  | { op: 'import-key'; spec: ImportKeySpec & { id: string }; material: Uint8Array }
  | { op: 'delete-key'; id: string }
  | { op: 'update-key'; id: string; label?: string; usages?: readonly KeyUsage[] }
  | { op: 'write-credential'; label: string; value: Uint8Array }
  | { op: 'delete-credential'; label: string };

/**
 * How a provisioning session is attested:
 * - HMAC-SHA-256 under an HMAC session key the issuer also holds (it can forge the proof too);
 * - ECDSA-P256-SHA256 under an EC key generated inside the SE that never leaves it (non-extractable on
 *   PKCS#11). The issuer verifies with the public key it registered for this device, so a valid proof
 *   was made by the device's SE and by no host software or issuer.
 */
export type AttestationAlgorithm = 'HMAC-SHA-256' | 'ECDSA-P256-SHA256';

/** Proof for the issuer that exactly its staged operations were committed. */
export interface ProvisioningAttestation {
  version: 1;
  algorithm: AttestationAlgorithm;
  issuer: string;
  sessionId: string;
  /** base64url of the issuer's nonce. */
  nonce: string;
  operationCount: number;
  /** SPKI DER (base64url) of EC keys generated on board in this session, by key id (Annex L OBKG). */
  publicKeys: Record<string, string>;
  /**
   * base64url proof over the transcript under the session key: the HMAC-SHA-256 tag, or the ECDSA
   * P-256 / SHA-256 signature (r || s, 64 bytes) for 'ECDSA-P256-SHA256'.
   */
  mac: string;
}

export interface ProvisioningSession {
  readonly id: string;
  readonly issuer: string;
  readonly state: 'open' | 'committed' | 'aborted';
  /** Stage one operation. Validated now; applied only by commit. */
  stage(operation: ProvisioningOperation): void;
  /** Apply every staged operation atomically and attest it. */
  commit(nonce: Uint8Array): Promise<ProvisioningAttestation>;
  /** Drop every staged operation. */
  abort(): Promise<void>;
}

export interface SecureEnvironment {
  readonly kind: 'software' | 'pkcs11';
  describe(): Promise<SecureEnvironmentDescription>;

  generateKey(spec: GenerateKeySpec): Promise<KeyHandle>;
  importKey(spec: ImportKeySpec, material: Uint8Array): Promise<KeyHandle>;
  /** Import an AES-KW (RFC 3394) wrapped AES or HMAC key. */
  unwrapKey(kek: KeyRef, wrapped: Uint8Array, spec: ImportKeySpec): Promise<KeyHandle>;
  /** AES-KW wrap an exportable AES or HMAC key under a 'wrap' key. */
  wrapKey(kek: KeyRef, key: KeyRef): Promise<Uint8Array>;
  deriveKey(base: KeyRef, params: DeriveParams, spec: DeriveKeySpec): Promise<KeyHandle>;

  mac(key: KeyRef, data: Uint8Array, algorithm?: MacAlgorithm): Promise<Uint8Array>;
  verifyMac(key: KeyRef, data: Uint8Array, tag: Uint8Array, algorithm?: MacAlgorithm): Promise<boolean>;
  /** ECDSA P-256 / SHA-256; signature as r || s (64 bytes, IEEE P1363 / JOSE form). */
  sign(key: KeyRef, data: Uint8Array): Promise<Uint8Array>;
  verify(key: KeyRef, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** SubjectPublicKeyInfo DER of an EC key. */
  getPublicKey(key: KeyRef): Promise<Uint8Array>;
  encrypt(key: KeyRef, plaintext: Uint8Array, aad?: Uint8Array): Promise<AeadCiphertext>;
  decrypt(key: KeyRef, sealed: AeadCiphertext, aad?: Uint8Array): Promise<Uint8Array>;
  random(length: number): Promise<Uint8Array>;

  getKey(id: string): Promise<KeyHandle | undefined>;
  listKeys(): Promise<KeyHandle[]>;
  /** Destroy a key (zeroise). */
  deleteKey(key: KeyRef): Promise<void>;

  /** The only exit for raw key bytes: a 'tls-psk' key handed to the TLS layer, audited. */
  exportPskForTls(key: KeyRef): Promise<Uint8Array>;

  /** Opaque blobs (certificates, trust anchors, records) bound to a label. */
  writeCredential(label: string, value: Uint8Array): Promise<void>;
  readCredential(label: string): Promise<Uint8Array | undefined>;
  deleteCredential(label: string): Promise<boolean>;
  listCredentials(): Promise<string[]>;

  beginProvisioning(issuer: string, sessionKey: KeyRef): Promise<ProvisioningSession>;
  close(): Promise<void>;
}

export interface CommonOptions {
  audit?: AuditSink;
  logger?: SecureEnvironmentLogger;
  /** Clock for audit timestamps and createdAt. */
  now?: () => number;
}
