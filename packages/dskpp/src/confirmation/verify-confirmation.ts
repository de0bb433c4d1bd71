// The issuer's side of the provisioning confirmation (confirmation.ts): the key must be one this MEF
// provisioned and still holds; the MAC must verify under K_TOKEN; the SE attestation must cover exactly
// the key and KeyContainer this MEF sent, for this issuer, and, when the client registered an SE
// attestation key, be that key's ECDSA signature. Then the key is marked confirmed (once).
import { type ProvisioningOperation, verifyProvisioningAttestation } from '@m2msec/secure-environment';
import { keyContainerLabel } from '../client/store-key.js';
import { fromBase64Url } from '../lib/bytes.js';
import type { ServerContext } from '../server/context.js';
import { type ProvisioningConfirmation, verifyConfirmationMac } from './confirmation.js';

export type ConfirmationOutcome =
  | { confirmed: true; keyId: string; alreadyConfirmed: boolean }
  | { confirmed: false; reason: string };

const refuse = (reason: string): ConfirmationOutcome => ({ confirmed: false, reason });

export async function verifyProvisioningConfirmation(
  ctx: ServerContext,
  c: ProvisioningConfirmation,
): Promise<ConfirmationOutcome> {
  if (!ctx.keys.find || !ctx.keys.markConfirmed) return refuse('this key store cannot check confirmations');
  if (typeof c?.keyId !== 'string' || typeof c.mac !== 'string' || !c.attestation || !Array.isArray(c.usages)) {
    return refuse('a confirmation needs keyId, mac, attestation and usages');
  }
  const key = await ctx.keys.find(c.keyId);
  // One answer for an unknown key and a wrong MAC: no oracle for which KeyIds exist.
  if (!key?.keyContainerXml) return refuse('the confirmation did not verify');
  let nonce: Uint8Array;
  let mac: Uint8Array;
  try {
    nonce = fromBase64Url(c.attestation.nonce);
    mac = fromBase64Url(c.mac);
  } catch {
    return refuse('the confirmation did not verify');
  }
  if (!verifyConfirmationMac(key.secret, c.keyId, nonce, mac)) return refuse('the confirmation did not verify');

  const client = await ctx.clients.byClientId(key.clientId);
  const operations: ProvisioningOperation[] = [
    {
      op: 'import-key',
      spec: {
        id: c.keyId,
        algorithm: key.secret.length === 16 ? 'AES' : 'HMAC',
        usages: c.usages,
        label: `dskpp:${ctx.serverId}`,
      },
      material: key.secret,
    },
    { op: 'write-credential', label: keyContainerLabel(c.keyId), value: new TextEncoder().encode(key.keyContainerXml) },
  ];
  const expected = { issuer: ctx.serverId, nonce, operations };
  if (client?.attestationPublicKey) {
    const ok = await verifyProvisioningAttestation(c.attestation, expected, { publicKey: client.attestationPublicKey });
    if (!ok) return refuse('the SE attestation is not by the device’s registered attestation key');
  }
  // Without a registered SE key the confirmation rests on the MAC alone: K_TOKEN is held by the device.
  const first = await ctx.keys.markConfirmed(c.keyId, ctx.now());
  return { confirmed: true, keyId: c.keyId, alreadyConfirmed: !first };
}
