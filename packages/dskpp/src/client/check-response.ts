// Client-side reading of server responses: an error status from the server becomes a DskppError
// with fromPeer = true; a document the client cannot use aborts the run locally.
import { clientFailure, DskppError } from '../lib/errors.js';
import type { DskppErrorStatus } from '../lib/status.js';
import { decodeMessage } from '../messages/decode.js';
import type { DskppMessage, KeyProvServerFinished, KeyProvServerHello } from '../messages/types.js';

export function decodeResponse<T extends 'KeyProvServerHello' | 'KeyProvServerFinished'>(
  xml: string,
  expected: T,
): T extends 'KeyProvServerHello' ? KeyProvServerHello : KeyProvServerFinished {
  let m: DskppMessage;
  try {
    m = decodeMessage(xml);
  } catch (e) {
    throw clientFailure('MalformedResponse', `server response rejected: ${e instanceof Error ? e.message : e}`);
  }
  if (
    (m.type === 'KeyProvServerHello' || m.type === 'KeyProvServerFinished') &&
    m.status !== 'Continue' &&
    m.status !== 'Success'
  ) {
    throw new DskppError(m.status as DskppErrorStatus, `server answered ${m.status}`, true);
  }
  if (m.type !== expected) throw clientFailure('UnexpectedResponse', `expected ${expected}, got ${m.type}`);
  const okStatus = expected === 'KeyProvServerHello' ? 'Continue' : 'Success';
  if ((m as KeyProvServerHello).status !== okStatus) {
    throw clientFailure('UnexpectedResponse', `${expected} with status ${(m as KeyProvServerHello).status}`);
  }
  return m as never;
}
