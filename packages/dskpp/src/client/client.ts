// DskppClient: runs a 4-pass or 2-pass DSKPP exchange over a transport and ends with K_TOKEN in the
// SE (never returned as bytes).
import type { KeyHandle, ProvisioningAttestation } from '@m2msec/secure-environment';
import {
  confirmationInput,
  confirmationMacAlgorithm,
  type ProvisioningConfirmation,
} from '../confirmation/confirmation.js';
import { fourPassFinish, fourPassHello, fourPassNego } from '../four-pass/client.js';
import type { KeyContainerInfo } from '../pskc/key-container.js';
import { twoPassFinish, twoPassHello } from '../two-pass/client.js';
import type { DskppClientOptions } from './options.js';
import { storeProvisionedKey } from './store-key.js';

export interface ProvisioningResult {
  variant: 'four-pass' | 'two-pass';
  sessionId?: string;
  keyId: string;
  keyContainer: KeyContainerInfo;
  /** The KeyContainer as received (standalone PSKC document). */
  keyContainerXml: string;
  /** KeyPackage/ServerID. */
  serverId?: string;
  key: KeyHandle;
  attestation: ProvisioningAttestation;
}

export class DskppClient {
  constructor(private readonly options: DskppClientOptions) {
    if (options.sharedKey && options.sharedKey.key.length !== 16) {
      throw new TypeError('K_SHARED must be a 16-byte AES-128 key');
    }
    if (options.authenticationCode.length === 0) throw new TypeError('authentication code must not be empty');
  }

  /** Four-pass, pre-shared-key variant: K_TOKEN is derived on both ends, never transferred. */
  async fourPass(): Promise<ProvisioningResult> {
    const o = this.options;
    const hello = fourPassHello(o);
    const serverHello = await o.transport(hello);
    const { negoXml, pending } = fourPassNego(o, serverHello, 'shared-key', hello);
    const serverNonce = pending.serverNonce;
    const finished = await o.transport(negoXml);
    const out = fourPassFinish(o, pending, finished);
    return this.store('four-pass', out.kToken, out.keyPackage, serverNonce, out.sessionId);
  }

  /**
   * Four-pass, public-key profile (docs/dskpp.md): R_C is a key-encryption key sent RSA-OAEP encrypted
   * to the server certificate, which must pass `serverTrust`; the server returns a key it generated,
   * wrapped under R_C. The server may be any instance behind a balancer (stateless).
   */
  async fourPassPublicKey(): Promise<ProvisioningResult> {
    const o = this.options;
    const hello = fourPassHello(o, 'public-key');
    const serverHello = await o.transport(hello);
    const { negoXml, pending } = fourPassNego(o, serverHello, 'public-key', hello);
    const serverNonce = pending.serverNonce;
    const finished = await o.transport(negoXml);
    const out = fourPassFinish(o, pending, finished);
    return this.store('four-pass', out.kToken, out.keyPackage, serverNonce, out.sessionId);
  }

  /**
   * Two-pass, key transport profile (RFC 6063 5.1.1): K_PROV arrives RSA-OAEP encrypted to the device's
   * public key, which the MEF has registered under `transportKey.name`.
   */
  async twoPassTransport(): Promise<ProvisioningResult> {
    const o = this.options;
    const { helloXml, pending } = twoPassHello(o, 'transport');
    const clientNonce = Uint8Array.from(pending.clientNonce);
    const finished = await o.transport(helloXml);
    const out = twoPassFinish(o, pending, finished);
    return this.store('two-pass', out.kToken, out.keyPackage, clientNonce, out.sessionId);
  }

  /** Two-pass, key wrap profile: K_TOKEN arrives wrapped under K_SHARED. */
  async twoPass(): Promise<ProvisioningResult> {
    const o = this.options;
    const { helloXml, pending } = twoPassHello(o);
    const clientNonce = Uint8Array.from(pending.clientNonce);
    const finished = await o.transport(helloXml);
    const out = twoPassFinish(o, pending, finished);
    return this.store('two-pass', out.kToken, out.keyPackage, clientNonce, out.sessionId);
  }

  /**
   * The proof of successful provisioning for the issuer (docs/dskpp.md section 2): a MAC computed in
   * the SE with the new key, plus the SE's attestation of the session that stored it.
   */
  async confirmation(result: ProvisioningResult): Promise<ProvisioningConfirmation> {
    const o = this.options;
    const nonce = new Uint8Array(Buffer.from(result.attestation.nonce, 'base64url'));
    const mac = await o.secureEnvironment.mac(
      result.key,
      confirmationInput(result.keyId, nonce),
      confirmationMacAlgorithm(result.key.length),
    );
    return {
      keyId: result.keyId,
      mac: Buffer.from(mac).toString('base64url'),
      attestation: result.attestation,
      usages: [...(o.keyUsages ?? ['mac'])],
    };
  }

  private async store(
    variant: ProvisioningResult['variant'],
    kToken: Uint8Array,
    keyPackage: { keyContainer: KeyContainerInfo; keyContainerXml: string; serverId?: string },
    nonce: Uint8Array,
    sessionId: string | undefined,
  ): Promise<ProvisioningResult> {
    const o = this.options;
    const keyId = keyPackage.keyContainer.keyId;
    const { key, attestation } = await storeProvisionedKey(o.secureEnvironment, o.attestationKey, {
      issuer: keyPackage.keyContainer.issuer ?? keyPackage.serverId ?? o.serverUrl,
      keyId,
      kToken,
      keyContainerXml: keyPackage.keyContainerXml,
      usages: o.keyUsages ?? ['mac'],
      nonce,
    });
    return {
      variant,
      ...(sessionId ? { sessionId } : {}),
      keyId,
      keyContainer: keyPackage.keyContainer,
      keyContainerXml: keyPackage.keyContainerXml,
      ...(keyPackage.serverId ? { serverId: keyPackage.serverId } : {}),
      key,
      attestation,
    };
  }
}
