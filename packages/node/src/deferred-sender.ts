// The CSE takes its senders at open; the MQTT session exists only after start(). This forwards to
// the sender once it is there and answers 5103 before.
import {
  M2MError,
  type RequestPrimitive,
  type RequestSender,
  type ResponsePrimitive,
  ResponseStatusCode,
} from '@m2msec/protocol';

export class DeferredSender implements RequestSender {
  inner: RequestSender | undefined;
  constructor(readonly schemes: readonly string[]) {}
  send(poa: string, req: RequestPrimitive, opts?: { timeoutMs?: number }): Promise<ResponsePrimitive> {
    if (!this.inner) {
      return Promise.reject(
        new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, `no ${this.schemes.join('/')} session is open yet`),
      );
    }
    return this.inner.send(poa, req, opts);
  }
}
