// A test hook in the relay path: it makes a relaying CSE behave like a compromised one, altering one
// character of the Content of the requests it retargets, so end-to-end tests can show the Target detects
// it (TS-0003 8.4 ESPrim: integrity check; 8.5 ESData: JWS / JWE verification). It only exists when the
// embedder wraps a retarget sender with it; the processes enable it only in the development profile.
import type { RequestPrimitive, RequestSender, ResponsePrimitive, SendOptions } from '@m2msec/protocol';

export interface RelayTamperOptions {
  /** Originators (as the relaying CSE forwards them, SP-relative) whose requests are altered; others pass. */
  readonly originators: readonly string[];
}

/** Swaps a base64url-safe character for another one, so the value stays well-formed and only its bytes change. */
function flip(c: string): string {
  return c === 'A' ? 'B' : 'A';
}

/**
 * Alters one character of a string: in a JOSE compact value inside its content part (the ciphertext of a
 * JWE, the payload of a JWS), so the object still parses and only its integrity check can catch the
 * change; in any other string, in its middle.
 */
export function alterOneCharacter(s: string): string {
  const parts = s.split('.');
  const content = parts.length === 5 ? 3 : parts.length === 3 ? 1 : -1;
  let start = 0;
  let length = s.length;
  if (content >= 0 && parts[content]!.length > 0) {
    start = parts.slice(0, content).reduce((n, p) => n + p.length + 1, 0);
    length = parts[content]!.length;
  }
  const i = start + Math.floor(length / 2);
  return s.slice(0, i) + flip(s[i]!) + s.slice(i + 1);
}

/** The longest string value anywhere in a Content, with a way to replace it. */
function longestString(v: unknown): { value: string; replace: (s: string) => unknown } | undefined {
  if (typeof v === 'string') return { value: v, replace: (s) => s };
  if (typeof v !== 'object' || v === null) return undefined;
  let best: { value: string; replace: (s: string) => unknown } | undefined;
  const entries: Array<[string | number, unknown]> = Array.isArray(v)
    ? v.map((x, i) => [i, x] as [number, unknown])
    : Object.entries(v as Record<string, unknown>);
  for (const [k, child] of entries) {
    const found = longestString(child);
    if (found && (!best || found.value.length > best.value.length)) {
      best = {
        value: found.value,
        replace: (s) => {
          const copy: any = Array.isArray(v) ? [...v] : { ...(v as object) };
          copy[k] = found.replace(s);
          return copy;
        },
      };
    }
  }
  return best;
}

/** The Content with one character of its longest string value altered (or the request unchanged if none). */
export function alterContent(req: RequestPrimitive): RequestPrimitive {
  const target = longestString(req.pc);
  if (!target || target.value.length === 0) return req;
  return { ...req, pc: target.replace(alterOneCharacter(target.value)) as RequestPrimitive['pc'] };
}

/** Wraps the sender a CSE retargets with: requests of the listed originators leave with an altered Content. */
export function tamperingRelaySender(inner: RequestSender, o: RelayTamperOptions): RequestSender {
  const from = new Set(o.originators);
  return {
    schemes: inner.schemes,
    send(poa: string, req: RequestPrimitive, opts?: SendOptions): Promise<ResponsePrimitive> {
      return inner.send(poa, req.fr !== undefined && from.has(req.fr) ? alterContent(req) : req, opts);
    },
  };
}
