// Typed forms of the four DSKPP PDUs (RFC 6063 sections 4.2 and 5.2; schema in section 8).
import type { DskppStatus } from '../lib/status.js';
import type { KeyContainerInfo } from '../pskc/key-container.js';

/** pskc:DeviceInfoType fields DSKPP clients identify their device with (DeviceIdentifierData/DeviceId). */
export interface DeviceIdentity {
  manufacturer?: string;
  serialNo?: string;
  model?: string;
}

export interface AuthenticationData {
  clientId?: string;
  /** AuthenticationCodeMac/Mac: the AD MAC of RFC 6063 section 3.4.1.2. */
  mac?: Uint8Array;
  macAlgorithm?: string;
  /** AuthenticationCodeMac/IterationCount: the PBKDF2 count of K_AC (3.4.1.2). */
  iterationCount?: number;
}

/** One TwoPass/SupportedKeyProtectionMethod with the KeyName of its Payload (key wrap: K_SHARED). */
export interface KeyProtectionOffer {
  method: string;
  keyName?: string;
}

export interface KeyProvClientHello {
  type: 'KeyProvClientHello';
  version: string;
  device?: DeviceIdentity;
  keyId?: Uint8Array;
  /** R_C, present in the 2-pass variant only. */
  clientNonce?: Uint8Array;
  supportedKeyTypes: string[];
  supportedEncryptionAlgorithms: string[];
  supportedMacAlgorithms: string[];
  /** Absent element: the client accepts any variant (RFC 6063 section 3.2.4). */
  protocolVariants?: { fourPass: boolean; twoPass?: KeyProtectionOffer[] };
  supportedKeyPackages?: string[];
  authenticationData?: AuthenticationData;
  /** Number of Extension elements marked Critical (none are understood here). */
  criticalExtensions: number;
}

export interface KeyProvServerHello {
  type: 'KeyProvServerHello';
  version: string;
  status: DskppStatus;
  sessionId?: string;
  keyType?: string;
  encryptionAlgorithm?: string;
  macAlgorithm?: string;
  /** EncryptionKey/ds:KeyName: the pre-shared key K_SHARED the client encrypts R_C with. */
  encryptionKeyName?: string;
  /**
   * EncryptionKey/ds:X509Data/ds:X509Certificate (DER): the server certificate whose public key
   * encrypts R_C (public-key 4-pass profile). Exactly one of this and encryptionKeyName is set.
   */
  encryptionCertificate?: Uint8Array;
  keyPackageFormat?: string;
  /** Payload/Nonce: R_S. */
  serverNonce?: Uint8Array;
}

export interface KeyProvClientNonce {
  type: 'KeyProvClientNonce';
  version: string;
  sessionId: string;
  /** EncryptedNonce: R_C wrapped under K_SHARED, or RSA-OAEP encrypted to the server certificate. */
  encryptedNonce: Uint8Array;
  authenticationData?: AuthenticationData;
  criticalExtensions: number;
}

export interface KeyPackage {
  serverId?: string;
  keyProtectionMethod?: string;
  /** The KeyContainer as a standalone PSKC document. */
  keyContainerXml: string;
  keyContainer: KeyContainerInfo;
}

export interface KeyProvServerFinished {
  type: 'KeyProvServerFinished';
  version: string;
  status: DskppStatus;
  sessionId?: string;
  keyPackage?: KeyPackage;
  /** Key confirmation MAC (MAC 1). */
  mac?: Uint8Array;
  macAlgorithm?: string;
}

export type DskppMessage = KeyProvClientHello | KeyProvServerHello | KeyProvClientNonce | KeyProvServerFinished;
