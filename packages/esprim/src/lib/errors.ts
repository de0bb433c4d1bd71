// ESPrim failures as oneM2M statuses (TS-0004 Table 7.6.2-1; codes of TS-0004 Table 6.6.3.3-1).
// Messages name the failing check, never key bytes or plaintext.
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';

export const esprimStatus = {
  unparsable: ResponseStatusCode.BAD_REQUEST,
  unsupportedOption: ResponseStatusCode.ESPRIM_UNSUPPORTED_OPTION,
  unknownKeyId: ResponseStatusCode.ESPRIM_UNKNOWN_KEY_ID,
  unknownOrigRandId: ResponseStatusCode.ESPRIM_UNKNOWN_ORIG_RAND_ID,
  unknownRecvRandId: ResponseStatusCode.ESPRIM_UNKNOWN_RECV_RAND_ID,
  badMac: ResponseStatusCode.ESPRIM_BAD_MAC,
  impersonation: ResponseStatusCode.ESPRIM_IMPERSONATION_ERROR,
  decryption: ResponseStatusCode.ESPRIM_DECRYPTION_ERROR,
  encryption: ResponseStatusCode.ESPRIM_ENCRYPTION_ERROR,
} as const;

export function esprimError(kind: keyof typeof esprimStatus, message: string): M2MError {
  return new M2MError(esprimStatus[kind], message);
}
