// Runs the MEF policy hook and normalises its answer (fail closed on anything unexpected).
import { EstError } from '../errors.js';
import { formatName } from '../lib/x509.js';
import type { CheckedRequest } from './check-request.js';
import type { EstEnrolmentOperation, EstServerOptions } from './types.js';

export type Decision =
  | { outcome: 'allow'; validitySeconds?: number; notAfter?: Date; holder?: string; subject?: string }
  | { outcome: 'pending'; retryAfterSeconds: number };

export async function decide(
  o: EstServerOptions,
  operation: EstEnrolmentOperation,
  label: string | undefined,
  { identity, csr }: CheckedRequest,
): Promise<Decision> {
  let subject: string | undefined;
  const d = await o.authorize({
    operation,
    ...(label !== undefined ? { label } : {}),
    clientIdentity: identity,
    requestedSan: csr.subjectAltName,
    subjectDer: csr.subject,
    get subject() {
      subject ??= formatName(csr.subject);
      return subject;
    },
  });
  const outcome = typeof d === 'string' ? d : d?.outcome;
  if (outcome === 'allow') {
    const a = typeof d === 'object' && d.outcome === 'allow' ? d : undefined;
    return {
      outcome,
      ...(a?.validitySeconds !== undefined ? { validitySeconds: a.validitySeconds } : {}),
      ...(a?.notAfter !== undefined ? { notAfter: a.notAfter } : {}),
      ...(a?.holder !== undefined ? { holder: a.holder } : {}),
      ...(a?.subject !== undefined ? { subject: a.subject } : {}),
    };
  }
  if (outcome === 'pending') {
    const r = typeof d === 'object' && d.outcome === 'pending' ? d.retryAfterSeconds : undefined;
    const retryAfterSeconds = Math.max(1, Math.ceil(r ?? o.defaultRetryAfterSeconds ?? 60));
    return { outcome, retryAfterSeconds };
  }
  const reason = typeof d === 'object' && d?.outcome === 'deny' ? d.reason : undefined;
  throw new EstError(403, reason ?? 'the enrolment policy does not allow this identity for this client');
}
