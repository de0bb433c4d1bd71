// The decision over the policies a resource links (acpi): permit if any rule of any policy permits
// (TS-0003 7.1.5 permit-overrides). pv governs ordinary resources, pvs the <accessControlPolicy>
// itself (TS-0003 7.1.1). Each policy is compiled once per modification (ri + lastModifiedTime).
import type { IdContext } from '@m2msec/protocol';
import { compileRuleSet } from './compile.js';
import type { Decision } from './decision/decision.js';
import type { AccessControlPolicyResource, AccessRequest, CompiledRuleSet } from './types.js';

interface Compiled {
  lt: string | undefined;
  pv: CompiledRuleSet;
  pvs: CompiledRuleSet;
}

export type PrivilegeSet = 'pv' | 'pvs';

/** The compiled rule sets that apply to one resource, with what the caller must supply to decide. */
export interface PolicySelection {
  readonly sets: readonly CompiledRuleSet[];
  /** acor entries that may be <group> IDs: the caller puts those the originator belongs to in req.groups. */
  readonly groupCandidates: readonly string[];
  /** Some rule has a location context: the caller supplies req.location if it can. */
  readonly needsLocation: boolean;
  /** Role-IDs named by the rules (roleIDsFromACPs of a dynamic authorization request). */
  readonly roleIds: readonly string[];
  permits(req: AccessRequest): boolean;
  /** The first permitting rule's Decision, undefined when none permits. */
  decide(req: AccessRequest): Decision | undefined;
}

const EMPTY: readonly string[] = Object.freeze([]);

export class AccessDecisionEngine {
  private readonly cache = new Map<string, Compiled>();
  constructor(private readonly ctx: IdContext) {}

  /** The compiled form of a policy; recompiled when its lastModifiedTime changes. */
  compiled(p: AccessControlPolicyResource): Compiled {
    const hit = this.cache.get(p.ri);
    if (hit !== undefined && hit.lt === p.lt && p.lt !== undefined) return hit;
    const c = {
      lt: p.lt,
      pv: compileRuleSet(p.pv, this.ctx, `${p.ri}.pv`),
      pvs: compileRuleSet(p.pvs, this.ctx, `${p.ri}.pvs`),
    };
    this.cache.set(p.ri, c);
    return c;
  }

  /** Drops a policy's compiled form (on delete). */
  forget(ri: string): void {
    this.cache.delete(ri);
  }

  select(policies: readonly AccessControlPolicyResource[], which: PrivilegeSet): PolicySelection {
    const sets = policies.map((p) => this.compiled(p)[which]);
    return selection(sets);
  }

  permits(policies: readonly AccessControlPolicyResource[], which: PrivilegeSet, req: AccessRequest): boolean {
    for (let i = 0; i < policies.length; i++) if (this.compiled(policies[i]!)[which].permits(req)) return true;
    return false;
  }
}

/** Combines compiled rule sets (of ACPs, or of token permissions) into one selection. */
export function selection(sets: readonly CompiledRuleSet[]): PolicySelection {
  const groups: string[] = [];
  const roles: string[] = [];
  let needsLocation = false;
  for (const s of sets) {
    groups.push(...s.groupCandidates);
    roles.push(...s.roleIds);
    if (s.needsLocation) needsLocation = true;
  }
  return {
    sets,
    groupCandidates: groups.length > 0 ? [...new Set(groups)] : EMPTY,
    roleIds: roles.length > 0 ? [...new Set(roles)] : EMPTY,
    needsLocation,
    permits(req) {
      for (let i = 0; i < sets.length; i++) if (sets[i]!.permits(req)) return true;
      return false;
    },
    decide(req) {
      for (let i = 0; i < sets.length; i++) {
        const d = sets[i]!.decide(req);
        if (d !== undefined) return d;
      }
      return undefined;
    },
  };
}
