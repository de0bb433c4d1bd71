// @peculiar/x509 needs reflect-metadata loaded first (its tsyringe container), and a WebCrypto
// provider; both are set here once, and everything in this package imports x509 from this file.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };

/** DER of a distinguished name given as an RFC 4514 string ("CN=ae1, O=Example"); "" = empty Name. */
export function encodeName(name: string): Uint8Array {
  return new Uint8Array(new x509.Name(name).toArrayBuffer());
}

/** RFC 4514 string of a Name DER. */
export function formatName(der: Uint8Array): string {
  return new x509.Name(der).toString();
}
