import { CryptoInputError } from './error.js';

/** Accepts any Uint8Array (Buffer included) and views it as a Buffer without copying. */
export function asBuffer(value: unknown, name: string): Buffer {
  if (!(value instanceof Uint8Array)) {
    throw new CryptoInputError('ERR_INPUT_TYPE', `${name} must be a Uint8Array`);
  }
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** Checks an exact byte length; the message names the parameter and lengths, never the bytes. */
export function checkLength(
  value: unknown,
  name: string,
  length: number,
  code: 'ERR_KEY_LENGTH' | 'ERR_INPUT_LENGTH' = 'ERR_INPUT_LENGTH',
): Buffer {
  const buf = asBuffer(value, name);
  if (buf.length !== length) {
    throw new CryptoInputError(code, `${name} must be ${length} bytes, got ${buf.length}`);
  }
  return buf;
}

/** Checks an output length request: a positive safe integer not above `max`. */
export function checkOutputLength(length: unknown, max: number): number {
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 1 || length > max) {
    throw new CryptoInputError(
      'ERR_OUTPUT_LENGTH',
      `output length must be an integer in 1..${max}, got ${String(length)}`,
    );
  }
  return length;
}
