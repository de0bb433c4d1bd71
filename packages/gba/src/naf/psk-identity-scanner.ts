// Reads the psk_identity a TLS 1.2 client announces in its ClientKeyExchange (RFC 4279 §2 / §3: the message
// starts with psk_identity<0..2^16-1>, also for DHE_PSK / ECDHE_PSK), from the plaintext records of the
// client's side of the handshake. Only looks, never changes bytes.

const MAX_SCAN_BYTES = 32 * 1024;
const HANDSHAKE = 22;
const CLIENT_KEY_EXCHANGE = 16;

export class PskIdentityScanner {
  #raw: Buffer = Buffer.alloc(0);
  #handshake: Buffer = Buffer.alloc(0);

  /**
   * Feeds client bytes. Returns the identity once the ClientKeyExchange is complete, null when scanning is
   * over without one (a non-handshake record, a malformed message, too many bytes), undefined for "more".
   */
  feed(chunk: Buffer): string | null | undefined {
    this.#raw = this.#raw.length === 0 ? chunk : Buffer.concat([this.#raw, chunk]);
    while (this.#raw.length >= 5) {
      const length = this.#raw.readUInt16BE(3);
      if (this.#raw.length < 5 + length) break;
      const type = this.#raw[0];
      const fragment = this.#raw.subarray(5, 5 + length);
      this.#raw = this.#raw.subarray(5 + length);
      if (type !== HANDSHAKE) return null; // ChangeCipherSpec, alert or data: the plaintext part is over
      this.#handshake = Buffer.concat([this.#handshake, fragment]);
      while (this.#handshake.length >= 4) {
        const messageLength = this.#handshake.readUIntBE(1, 3);
        if (this.#handshake.length < 4 + messageLength) break;
        const messageType = this.#handshake[0];
        const body = this.#handshake.subarray(4, 4 + messageLength);
        this.#handshake = this.#handshake.subarray(4 + messageLength);
        if (messageType !== CLIENT_KEY_EXCHANGE) continue;
        if (body.length < 2 || body.length < 2 + body.readUInt16BE(0)) return null;
        return body.subarray(2, 2 + body.readUInt16BE(0)).toString('utf8');
      }
    }
    return this.#raw.length + this.#handshake.length > MAX_SCAN_BYTES ? null : undefined;
  }
}
