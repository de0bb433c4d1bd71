// What the MEF knows about each DSKPP client (TS-0003 8.3.7 MEF Client Credential Configuration):
// its ClientID, the authentication code AC behind the AD MAC, the pre-shared key K_SHARED (name +
// 16 bytes) used by the pre-shared-key 4-pass and the 2-pass key wrap profile, and optionally the
// device it must present in DeviceIdentifierData.
import type { DeviceIdentity } from '../messages/types.js';

export interface DskppClientRecord {
  clientId: string;
  authenticationCode: Uint8Array;
  sharedKey: { name: string; key: Uint8Array };
  device?: DeviceIdentity;
  /**
   * SPKI (DER) of the EC-P256 attestation key generated in the device's SE, registered with the MEF
   * beforehand. When set, a provisioning confirmation must carry an ECDSA attestation by that key.
   */
  attestationPublicKey?: Uint8Array;
  /**
   * 2-pass key transport profile (RFC 6063 5.1.1): the device's RSA public key (PEM or SPKI DER), named
   * as the device names it in its hello. K_PROV is only ever encrypted to this registered key, never to
   * a key taken from the wire.
   */
  transportKey?: { name: string; publicKey: string | Uint8Array };
}

export interface ClientRegistry {
  byClientId(clientId: string): Promise<DskppClientRecord | undefined>;
  /** Four-pass: the hello names only the device; it must identify exactly one client. */
  byDevice(device: DeviceIdentity): Promise<DskppClientRecord | undefined>;
}

export function sameDevice(a: DeviceIdentity, b: DeviceIdentity): boolean {
  return a.manufacturer === b.manufacturer && a.serialNo === b.serialNo && a.model === b.model;
}

/** In-memory registry (tests, small deployments); a MEF backs the interface with its store. */
export class MemoryClientRegistry implements ClientRegistry {
  private readonly records = new Map<string, DskppClientRecord>();

  constructor(records: Iterable<DskppClientRecord> = []) {
    for (const r of records) this.add(r);
  }

  add(record: DskppClientRecord): void {
    if (record.sharedKey.key.length !== 16) throw new TypeError('K_SHARED must be a 16-byte AES-128 key');
    if (record.authenticationCode.length === 0) throw new TypeError('authentication code must not be empty');
    this.records.set(record.clientId, record);
  }

  async byClientId(clientId: string): Promise<DskppClientRecord | undefined> {
    return this.records.get(clientId);
  }

  async byDevice(device: DeviceIdentity): Promise<DskppClientRecord | undefined> {
    const found = [...this.records.values()].filter((r) => r.device && sameDevice(r.device, device));
    return found.length === 1 ? found[0] : undefined;
  }
}
