export const b64u = (b: Uint8Array | string): string =>
  (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b)).toString('base64url');

/** Strict base64url (RFC 7515 section 2): no padding, only the URL-safe alphabet. */
export function fromB64u(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return undefined;
  const out = Buffer.from(s, 'base64url');
  return out.toString('base64url') === s ? out : undefined;
}
