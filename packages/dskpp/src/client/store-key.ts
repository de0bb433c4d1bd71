// The client's final step: K_TOKEN and its KeyContainer enter the SE in one provisioning session
// (DESIGN sections 3 and 4): both are committed together or nothing is, and the commit yields an
// attestation over the transcript that the issuer can verify.
import type {
  KeyHandle,
  KeyRef,
  KeyUsage,
  ProvisioningAttestation,
  SecureEnvironment,
} from '@m2msec/secure-environment';
import { utf8 } from '../lib/bytes.js';
import { clientFailure } from '../lib/errors.js';

export interface StoreKeyInput {
  issuer: string;
  keyId: string;
  kToken: Uint8Array;
  keyContainerXml: string;
  usages: readonly KeyUsage[];
  /** Attestation nonce: R_S (4-pass) or R_C (2-pass), fresh per run. */
  nonce: Uint8Array;
}

/** Label under which the KeyContainer of key `keyId` is kept in the SE. */
export const keyContainerLabel = (keyId: string) => `dskpp/key-container/${keyId}`;

export async function storeProvisionedKey(
  se: SecureEnvironment,
  attestationKey: KeyRef,
  input: StoreKeyInput,
): Promise<{ key: KeyHandle; attestation: ProvisioningAttestation }> {
  let session: Awaited<ReturnType<SecureEnvironment['beginProvisioning']>> | undefined;
  try {
    session = await se.beginProvisioning(input.issuer, attestationKey);
    session.stage({
      op: 'import-key',
      spec: {
        id: input.keyId,
        algorithm: input.kToken.length === 16 ? 'AES' : 'HMAC',
        usages: input.usages,
        label: `dskpp:${input.issuer}`,
      },
      material: input.kToken,
    });
    session.stage({
      op: 'write-credential',
      label: keyContainerLabel(input.keyId),
      value: utf8(input.keyContainerXml),
    });
    const attestation = await session.commit(input.nonce);
    const key = await se.getKey(input.keyId);
    if (!key) throw new Error('key missing after commit');
    return { key, attestation };
  } catch (e) {
    if (session?.state === 'open') await session.abort().catch(() => undefined);
    throw clientFailure('StorageFailed', `storing the provisioned key failed: ${e instanceof Error ? e.message : e}`);
  } finally {
    input.kToken.fill(0);
  }
}
