// The DSKPP server role of the MEF: one entry point, `handle`, takes a request document and returns
// the response document. Protocol failures never throw: they become a KeyProvServerFinished with
// the RFC 6063 section 3.3 status (and SessionID when known); unexpected faults become Abort.

import type { ProvisioningConfirmation } from '../confirmation/confirmation.js';
import { type ConfirmationOutcome, verifyProvisioningConfirmation } from '../confirmation/verify-confirmation.js';
import { answerClientNonce } from '../four-pass/server-finished.js';
import { answerFourPassHello } from '../four-pass/server-hello.js';
import { DskppError } from '../lib/errors.js';
import type { DskppErrorStatus } from '../lib/status.js';
import { decodeMessage } from '../messages/decode.js';
import { encodeErrorResponse } from '../messages/encode.js';
import { answerTwoPassHello } from '../two-pass/server.js';
import { resolveServerContext, type ServerContext } from './context.js';
import { negotiate } from './negotiate.js';
import type { DskppServerOptions } from './options.js';

export interface DskppServerResponse {
  body: string;
  /** Status carried by the response (Continue / Success / an error status). */
  status: 'Continue' | 'Success' | DskppErrorStatus;
  /**
   * False when the request was no DSKPP client message at all (another root element, a server PDU):
   * the HTTP binding answers those 400 (RFC 6063 7.2.4), not 200 with a DSKPP error.
   */
  clientMessage: boolean;
}

export class DskppServer {
  private readonly ctx: ServerContext;
  private readonly onRefused: DskppServerOptions['onRefused'];

  constructor(options: DskppServerOptions) {
    this.ctx = resolveServerContext(options);
    this.onRefused = options.onRefused;
  }

  get mode(): 'stateful' | 'stateless' {
    return this.ctx.mode;
  }

  /**
   * The device's proof of successful provisioning (docs/dskpp.md section 2, _design_): the MAC under
   * the new key and the SE attestation; on success the key is marked confirmed.
   */
  confirmProvisioning(confirmation: ProvisioningConfirmation): Promise<ConfirmationOutcome> {
    return verifyProvisioningConfirmation(this.ctx, confirmation).catch(() => ({
      confirmed: false as const,
      reason: 'the confirmation could not be checked',
    }));
  }

  /** Processes one request document; always resolves with a response document. */
  async handle(requestXml: string): Promise<DskppServerResponse> {
    let sessionId: string | undefined;
    let messageType: string | undefined;
    try {
      const message = decodeMessage(requestXml);
      messageType = message.type;
      if (message.type === 'KeyProvClientHello') {
        if (message.criticalExtensions > 0) {
          throw new DskppError('UnknownCriticalExtension', 'a critical extension is not understood');
        }
        // A KeyID asks for the replacement of a provisioned key, which needs the renewal MAC of 4.2.3 /
        // 5.2.2 ("MAC 2"); this server does not offer it, so the request is refused, never run as a new key.
        if (message.keyId !== undefined) {
          throw new DskppError(
            'UnknownRequest',
            'key replacement (KeyID, RFC 6063 4.2.3) is not offered by this server',
          );
        }
        const negotiated = negotiate(message, this.ctx.policy);
        if (negotiated.variant === 'two-pass') {
          const body = await answerTwoPassHello(this.ctx, message, negotiated, requestXml);
          return { body, status: 'Success', clientMessage: true };
        }
        const body = await answerFourPassHello(this.ctx, message, negotiated, requestXml);
        return { body, status: 'Continue', clientMessage: true };
      }
      if (message.type === 'KeyProvClientNonce') {
        sessionId = message.sessionId;
        if (message.criticalExtensions > 0) {
          throw new DskppError('UnknownCriticalExtension', 'a critical extension is not understood');
        }
        return { body: await answerClientNonce(this.ctx, message, requestXml), status: 'Success', clientMessage: true };
      }
      throw new DskppError('UnknownRequest', `${message.type} is a server message`);
    } catch (e) {
      const err = e instanceof DskppError ? e : new DskppError('Abort', 'internal error while processing the request');
      this.onRefused?.({
        status: err.status,
        message: err.message,
        ...(messageType ? { messageType } : {}),
      });
      // A SessionID that failed to open is echoed only if it is a legal identifier.
      const echo = sessionId && sessionId.length <= 128 ? sessionId : undefined;
      const clientMessage =
        messageType === 'KeyProvClientHello' || messageType === 'KeyProvClientNonce' || err.status !== 'UnknownRequest';
      return { body: encodeErrorResponse(err.status, echo), status: err.status, clientMessage };
    }
  }
}
