import { M2msecError } from '@m2msec/protocol/error';

/** An access-control rule that cannot be evaluated; `path` names the element (e.g. 'pv.acr[0].acco[1].actw[0]'). */
export class AccessControlRuleError extends M2msecError {
  override readonly name = 'AccessControlRuleError';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super('INVALID_ACCESS_CONTROL_RULE', 4000, `${path} ${reason}`);
  }
}

/** Clips untrusted text echoed in a message. */
export function clip(value: unknown): string {
  const s = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return s.length > 48 ? `${s.slice(0, 45)}...` : s;
}
