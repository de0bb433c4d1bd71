import type { KeyObject } from 'node:crypto';
// Client configuration: what the device was pre-provisioned with (TS-0003 8.3.7 MEF Client
// Credential Configuration): ClientID, authentication code AC, K_SHARED and the server URL.
import type { KeyRef, KeyUsage, SecureEnvironment } from '@m2msec/secure-environment';
import {
  KEY_TYPE_AES128,
  type KeyTypeUri,
  MAC_DSKPP_PRF_AES_128,
  MAC_DSKPP_PRF_SHA256,
  type MacAlgorithmUri,
} from '../lib/uris.js';
import type { DeviceIdentity } from '../messages/types.js';
import type { ServerTrust } from '../public-key/verify-server-certificate.js';

/** Sends one request document and resolves with the response document. */
export type DskppTransport = (requestXml: string) => Promise<string>;

export interface DskppClientCredentials {
  /** URL_S as used to reach the server (AD MAC input). */
  serverUrl: string;
  clientId: string;
  authenticationCode: Uint8Array;
  /** K_SHARED: needed by the pre-shared-key 4-pass and the 2-pass key wrap, not by the public-key 4-pass. */
  sharedKey?: { name: string; key: Uint8Array };
  /** 2-pass key transport profile: the device's RSA key pair (its public key is registered at the MEF). */
  transportKey?: { name: string; privateKey: KeyObject | string };
  /** Public-key 4-pass: how the server certificate in KeyProvServerHello is checked. */
  serverTrust?: ServerTrust;
  device: DeviceIdentity;
  /** Key types to ask for, in preference order. Default AES-128. */
  keyTypes?: readonly KeyTypeUri[];
  /** DSKPP-PRF realizations in preference order. Default AES-128, then SHA-256. */
  macAlgorithms?: readonly MacAlgorithmUri[];
}

export interface DskppClientOptions extends DskppClientCredentials {
  transport: DskppTransport;
  /** Where K_TOKEN goes: imported in one provisioning session with the KeyContainer. */
  secureEnvironment: SecureEnvironment;
  /** SE key ('mac' usage) that attests the provisioning session for the issuer. */
  attestationKey: KeyRef;
  /** Usages of the stored key in the SE. Default ['mac']. */
  keyUsages?: readonly KeyUsage[];
}

export const CLIENT_DEFAULTS = {
  keyTypes: [KEY_TYPE_AES128] as readonly KeyTypeUri[],
  macAlgorithms: [MAC_DSKPP_PRF_AES_128, MAC_DSKPP_PRF_SHA256] as readonly MacAlgorithmUri[],
  clientNonceLength: 16,
};
