export const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** Strict base64 / base64url decoding: anything but the alphabet is refused. */
export function fromB64(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) {
    throw new TypeError(`${what} must be base64 or base64url text`);
  }
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Overwrite transient key buffers once they have been handed on. */
export function wipe(...buffers: Array<Uint8Array | undefined>): void {
  for (const b of buffers) b?.fill(0);
}
