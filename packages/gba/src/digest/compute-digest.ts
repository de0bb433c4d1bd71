// HTTP Digest computations of RFC 2617 section 3.2.2 as profiled by RFC 3310 (AKAv1-MD5): the AKA
// RES (raw octets) is the password; with an empty password on a synchronisation failure (RFC 3310 3.4).
import { createHash } from 'node:crypto';

export type Qop = 'auth' | 'auth-int';

const md5 = (...parts: (string | Uint8Array)[]) => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

export interface DigestInput {
  readonly username: string;
  readonly realm: string;
  /** RES octets (or empty on a synchronisation failure). */
  readonly password: Uint8Array;
  readonly nonce: string;
  readonly nc: string;
  readonly cnonce: string;
  readonly qop: Qop;
  readonly uri: string;
}

/** HA1 = MD5(username ":" realm ":" password): algorithm "AKAv1-MD5" uses plain MD5, not MD5-sess. */
export function digestHa1(username: string, realm: string, password: Uint8Array): string {
  return md5(`${username}:${realm}:`, password);
}

/** HA2 for qop auth (method ":" uri) or auth-int (method ":" uri ":" MD5(entity-body)). */
export function digestHa2(method: string, uri: string, qop: Qop, entityBody: Uint8Array = new Uint8Array(0)): string {
  return qop === 'auth' ? md5(`${method}:${uri}`) : md5(`${method}:${uri}:${md5(entityBody)}`);
}

/** request-digest = MD5(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2). */
export function digestResponse(input: DigestInput, method: string, requestBody?: Uint8Array): string {
  const ha1 = digestHa1(input.username, input.realm, input.password);
  const ha2 = digestHa2(method, input.uri, input.qop, requestBody);
  return md5(`${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${ha2}`);
}

/** rspauth of Authentication-Info (RFC 2617 3.2.3): the same digest with an empty method, over the response body. */
export function digestRspauth(input: DigestInput, responseBody?: Uint8Array): string {
  return digestResponse(input, '', responseBody);
}
