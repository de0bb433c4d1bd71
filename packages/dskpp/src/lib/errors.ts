import type { ResponseStatusCode } from '@m2msec/protocol';
import { M2msecError } from '@m2msec/protocol/error';
import type { DskppErrorStatus } from './status.js';

/** The oneM2M rsc of an RFC 6063 3.3 status: a refusal of the client's proof is 4103, bad input 4000. */
function rscOf(status: DskppErrorStatus): ResponseStatusCode {
  if (status === 'AccessDenied' || status.startsWith('Authentication')) return 4103;
  if (status === 'Abort' || status === 'InitializationFailed') return 5000;
  return 4000;
}

/**
 * A DSKPP failure with the RFC 6063 section 3.3 status it maps to. On the server the status goes
 * back to the client in a KeyProvServerFinished; on the client `fromPeer` says the server sent it.
 * Messages name the failed check, never key material.
 */
export class DskppError extends M2msecError {
  override readonly name = 'DskppError';
  constructor(
    /** The RFC 6063 status, also the error's stable code. */
    readonly status: DskppErrorStatus,
    message: string,
    /** true when the status was received from the peer rather than detected locally. */
    readonly fromPeer = false,
    /** Client-side cause when the client aborts a run on its own (no status is sent in DSKPP then). */
    readonly reason?: DskppClientFailure,
  ) {
    super(status, rscOf(status), message);
  }
}

/** Why a client aborted a run locally. */
export type DskppClientFailure =
  | 'MalformedResponse'
  | 'UnexpectedResponse'
  | 'KeyConfirmationFailed'
  | 'KeyPackageInvalid'
  | 'TransportFailed'
  | 'StorageFailed'
  /** Public-key 4-pass: the certificate in KeyProvServerHello is not the configured server's. */
  | 'ServerCertificateRejected';

/** A local client failure: the run is aborted (status Abort) with the given reason. */
export function clientFailure(reason: DskppClientFailure, message: string): DskppError {
  return new DskppError('Abort', message, false, reason);
}
