// Validation of a Ub request's Authorization header (TS 24.109 5.3.2, RFC 3310, RFC 2617 3.2.2).
// Everything is checked before the BSF touches any state, so a malformed request changes nothing.
import { AUTS_LENGTH } from '../aka/auts.js';
import type { Qop } from '../digest/compute-digest.js';
import { parseDigestHeader } from '../digest/parse-digest.js';
import { decodeBase64 } from '../lib/base64.js';
import { GbaError } from '../lib/errors.js';
import { checkImpi } from '../lib/validate.js';

export type UbRequest =
  | { readonly kind: 'initial'; readonly impi: string }
  | {
      readonly kind: 'answer';
      readonly impi: string;
      readonly realm: string;
      readonly uri: string;
      readonly nonce: string;
      readonly rand: Buffer;
      readonly nc: string;
      readonly cnonce: string;
      readonly qop: Qop;
      readonly response: string;
      readonly auts?: Buffer;
    };

export function parseUbRequest(authorization: string | undefined, requestUri: string, realm: string): UbRequest {
  if (authorization === undefined || authorization === '') {
    throw bad('Authorization: Digest username="<IMPI>" is required on the Ub (TS 24.109 5.3.2)');
  }
  const p = parseDigestHeader(authorization, 'Authorization header');
  const impi = checkImpi(p.get('username'));
  const uri = p.get('uri');
  if (uri !== undefined && uri !== requestUri) throw bad(`uri "${uri}" does not match the request target`);
  const nonce = p.get('nonce') ?? '';
  const response = p.get('response') ?? '';
  if (nonce === '' && response === '') return { kind: 'initial', impi };
  if (nonce === '' || response === '') throw bad('nonce and response must both be present or both be empty');

  const algorithm = p.get('algorithm');
  if (algorithm === undefined || algorithm.toLowerCase() !== 'akav1-md5') {
    throw bad('algorithm must be AKAv1-MD5 (RFC 3310)');
  }
  if (p.get('realm') !== realm) throw bad(`realm must be "${realm}"`);
  if (uri === undefined) throw bad('uri is required');
  const qop = p.get('qop');
  if (qop !== 'auth' && qop !== 'auth-int') throw bad('qop must be auth or auth-int');
  const nc = p.get('nc');
  if (nc === undefined || !/^[0-9a-fA-F]{8}$/.test(nc)) throw bad('nc must be 8 hex digits');
  if (Number.parseInt(nc, 16) !== 1) throw bad('nc must be 00000001: every nonce is used once');
  const cnonce = p.get('cnonce');
  if (cnonce === undefined || cnonce.length === 0 || cnonce.length > 256) throw bad('cnonce must be 1..256 characters');
  if (!/^[0-9a-f]{32}$/.test(response)) throw bad('response must be 32 lower-case hex digits');
  const nonceBytes = decodeBase64(nonce, 'nonce');
  if (nonceBytes.length !== 32) throw bad('nonce must be base64(RAND || AUTN), 32 bytes');
  const autsText = p.get('auts');
  const auts = autsText === undefined ? undefined : decodeBase64(autsText, 'auts', AUTS_LENGTH);
  return {
    kind: 'answer',
    impi,
    realm,
    uri,
    nonce,
    rand: nonceBytes.subarray(0, 16),
    nc,
    cnonce,
    qop,
    response,
    ...(auts ? { auts } : {}),
  };
}

function bad(message: string): GbaError {
  return new GbaError(400, 'ERR_MALFORMED', message);
}
