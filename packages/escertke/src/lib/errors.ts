// ESCertKE failures. TS-0003 8.7 and TS-0004 7.5.1.2.12 name no status codes; the choice (see
// docs/end-to-end-security.md): a malformed or unexpected ESCertKE Message or a failed TLS handshake is
// 4000 BAD_REQUEST; a peer whose certificate proves an identity the end-point is not configured to
// establish a key with (8.7.2.2 B) is 4103 ORIGINATOR_HAS_NO_PRIVILEGE.
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';

export class EscertkeError extends M2MError {
  declare readonly code: 'ERR_ESCERTKE_MESSAGE' | 'ERR_ESCERTKE_HANDSHAKE' | 'ERR_ESCERTKE_PEER';
  constructor(code: 'ERR_ESCERTKE_MESSAGE' | 'ERR_ESCERTKE_HANDSHAKE' | 'ERR_ESCERTKE_PEER', message: string) {
    super(
      code === 'ERR_ESCERTKE_PEER' ? ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE : ResponseStatusCode.BAD_REQUEST,
      message,
      code,
    );
  }
}
