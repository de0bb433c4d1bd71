// The decision over the policies a resource links (acpi): permit if any rule of any policy permits.
// pv governs ordinary resources, pvs the <accessControlPolicy> itself (TS-0003 7.1.5).
import type { IdContext } from '@m2msec/protocol';
import { compileRuleSet } from './compile.js';
import type { AccessControlPolicyResource, AccessRequest, CompiledRuleSet } from './types.js';

interface Compiled {
  lt: string | undefined;
  pv: CompiledRuleSet;
  pvs: CompiledRuleSet;
}

export type PrivilegeSet = 'pv' | 'pvs';

/** Compiles each policy once per modification (keyed by ri + lt) and answers decisions. */
export class AccessDecisionEngine {
  private readonly cache = new Map<string, Compiled>();
  constructor(private readonly ctx: IdContext) {}

  private compiled(p: AccessControlPolicyResource): Compiled {
    const hit = this.cache.get(p.ri);
    if (hit && hit.lt === p.lt && p.lt !== undefined) return hit;
    const c = { lt: p.lt, pv: compileRuleSet(p.pv, this.ctx), pvs: compileRuleSet(p.pvs, this.ctx) };
    this.cache.set(p.ri, c);
    return c;
  }

  /** Drops a policy's compiled form (on delete). */
  forget(ri: string): void {
    this.cache.delete(ri);
  }

  permits(policies: readonly AccessControlPolicyResource[], which: PrivilegeSet, req: AccessRequest): boolean {
    for (const p of policies) if (this.compiled(p)[which].permits(req)) return true;
    return false;
  }
}
