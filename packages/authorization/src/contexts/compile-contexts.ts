// res_ctxts(k) = OR over the rule's context entries m of (res_time AND res_ip AND res_loc) (TS-0003
// 7.1.5). Within an entry an absent element admits any value; a present element whose request value
// is unknown (no peer address, no location) does not match: the rule fails closed (TS-0003 7.1.4).
import { AccessControlRuleError, clip } from '../errors.js';
import type { AccessRequest } from '../types.js';
import { compileIpAddresses } from './ip.js';
import { compileLocationRegion } from './location.js';
import { compileScheduleEntry, type TimeMatcher } from './window.js';

export type ContextMatcher = (req: AccessRequest) => boolean;

export interface CompiledContexts {
  matches: ContextMatcher;
  needsLocation: boolean;
}

function compileEntry(entry: unknown, path: string): CompiledContexts {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw new AccessControlRuleError(path, 'must be an object {actw?, acip?, aclr?}');
  const { actw, acip, aclr, ...rest } = entry as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new AccessControlRuleError(path, `has unknown element '${clip(unknown[0])}'`);
  const parts: ContextMatcher[] = [];
  if (actw !== undefined) {
    if (!Array.isArray(actw)) throw new AccessControlRuleError(`${path}.actw`, 'must be a list of schedule entries');
    // An empty window list names no window (multiplicity 0..n): no time constraint.
    if (actw.length > 0) {
      const windows: TimeMatcher[] = actw.map((w, i) => compileScheduleEntry(w, `${path}.actw[${i}]`));
      if (windows.length === 1) {
        const w = windows[0]!;
        parts.push((r) => r.time !== undefined && w(r.time));
      } else {
        parts.push((r) => {
          const t = r.time;
          if (t === undefined) return false;
          for (let i = 0; i < windows.length; i++) if (windows[i]!(t)) return true;
          return false;
        });
      }
    }
  }
  if (acip !== undefined) {
    const ip = compileIpAddresses(acip, `${path}.acip`);
    parts.push((r) => r.ip !== undefined && ip(r.ip));
  }
  if (aclr !== undefined) {
    const loc = compileLocationRegion(aclr, `${path}.aclr`);
    parts.push((r) => r.location !== undefined && loc(r.location));
  }
  const needsLocation = aclr !== undefined;
  if (parts.length === 0) return { matches: () => true, needsLocation };
  if (parts.length === 1) return { matches: parts[0]!, needsLocation };
  return {
    matches: (r) => {
      for (let i = 0; i < parts.length; i++) if (!parts[i]!(r)) return false;
      return true;
    },
    needsLocation,
  };
}

/** Compiles acco; undefined when the rule has no contexts (any context is admissible, TS-0003 7.1.3). */
export function compileContexts(acco: unknown, path: string): CompiledContexts | undefined {
  if (acco === undefined) return undefined;
  if (!Array.isArray(acco)) throw new AccessControlRuleError(path, 'must be a list of context objects');
  if (acco.length === 0) return undefined;
  const entries = acco.map((e, i) => compileEntry(e, `${path}[${i}]`));
  const needsLocation = entries.some((e) => e.needsLocation);
  if (entries.length === 1) return entries[0]!;
  const ms = entries.map((e) => e.matches);
  return {
    matches: (r) => {
      for (let i = 0; i < ms.length; i++) if (ms[i]!(r)) return true;
      return false;
    },
    needsLocation,
  };
}
