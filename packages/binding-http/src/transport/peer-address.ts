/** '::ffff:192.0.2.1' (IPv4-mapped IPv6, RFC 4291 2.5.5.2) -> '192.0.2.1'; other addresses unchanged. */
export function normalisePeerAddress(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m === null ? address : m[1]!;
}
