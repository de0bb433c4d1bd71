// ClientId of TS-0010 6.3.3: 'A::' + AE-ID or 'C::' + CSE-ID (the two ID spaces overlap), IDs in topic form.
import { escapeId } from './escape-id.js';

export function clientIdForAe(aeId: string): string {
  return `A::${escapeId(aeId)}`;
}

export function clientIdForCse(cseId: string): string {
  return `C::${escapeId(cseId)}`;
}
