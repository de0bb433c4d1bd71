// The resources below a target that a RETRIEVE (rcn 4/5/6/8) or a discovery returns (TS-0004 7.3.3.14,
// 7.3.3.17): matching the filter criteria, permitted for the originator, after offset, up to limit.
// The subtree is read page by page in the store's path order, so the cost follows the candidates the store
// hands over (its indexed conditions already applied), not the size of the subtree or of the CSE, and a
// budget (CseConfig.filterBudget) stops a request that would examine, return or last too much.
import type { FilterCriteria } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import { isPermitted } from '../pipeline/access.js';
import { accessState } from '../pipeline/access-state.js';
import type { RequestContext } from '../request-context.js';
import { applyRelativePath } from './apply-relative-path.js';
import { BudgetSpent, matches, storeQuery, storeRelations } from './filter-criteria.js';
import { RetrievalDisabled } from './retrieval-disabled.js';

const PAGE_MIN = 32;
const PAGE_MAX = 1000;

/**
 * The access decision for each candidate. A resource without accessControlPolicyIDs of its own (e.g. a
 * <contentInstance>) is governed by its parent's policies (TS-0001 9.6.1.3.2), so its siblings share one
 * decision, which is made once per parent, unless the request carries tokens, whose privileges may name
 * single resources (TS-0003 7.3.2.5).
 */
async function decider(
  core: Core,
  ctx: RequestContext,
  operation: number,
): Promise<(r: StoredResource) => Promise<boolean>> {
  const one = (r: StoredResource) => isPermitted(core, ctx, r, operation);
  if (ctx.admin || (await accessState(core, ctx)).tokens.length > 0) return one;
  const byParent = new Map<string, boolean>();
  return async (r) => {
    if (core.handlers.get(r.ty)?.hasAcpi !== false) return one(r);
    let d = byParent.get(r.pi);
    if (d === undefined) {
      d = await one(r);
      byParent.set(r.pi, d);
    }
    return d;
  };
}

export interface Selection {
  found: StoredResource[];
  /** The walk stopped on the budget: Content Status PARTIAL_CONTENT (TS-0001 8.1.2). */
  partial: boolean;
  /** With partial: the offset (fc.ofst, 1 = the first) that continues after the last resource returned. */
  nextOffset: number;
}

/**
 * Walks the descendants of `root` (not root itself) within fc.lvl, keeping those that match fc and that the
 * originator may access with `operation` (an acop bit: RETRIEVE, or DISCOVERY for discovery); access is decided
 * on these candidates only. fc.ofst counts matching, permitted resources, 1 being the first (7.3.3.17.15).
 */
export async function selectDescendants(
  core: Core,
  ctx: RequestContext,
  root: StoredResource,
  operation: number,
  fc: FilterCriteria | undefined = ctx.req.fc,
): Promise<Selection> {
  const budget = core.config.filterBudget;
  const first = fc?.ofst ?? 1;
  const limit = Math.min(fc?.lim ?? Number.POSITIVE_INFINITY, budget.maxResults);
  const cappedByBudget = fc?.lim === undefined || fc.lim > budget.maxResults;
  const found: StoredResource[] = [];
  const result = (partial: boolean): Selection => ({ found, partial, nextOffset: first + found.length });
  if (limit === 0) return result(false);

  const query = storeQuery(fc);
  // 7.3.3.17.17: with applyRelativePath each match stands for the resource at its relative path, once.
  const seen = new Set<string>();
  const resultFor = async (r: StoredResource): Promise<StoredResource | undefined> => {
    if (fc?.arp === undefined) return r;
    const t = await applyRelativePath(core, ctx, r, fc.arp);
    if (!t || seen.has(t.ri)) return undefined;
    seen.add(t.ri);
    return t;
  };
  const deadline = Date.now() + budget.maxMs;
  const permitted = await decider(core, ctx, operation);
  const disabled = new RetrievalDisabled(ctx);
  const relations = storeRelations(ctx.store, permitted, deadline);
  let skip = first - 1;
  let examined = 0;
  let after: string | undefined;
  let grow = 1; // pages double while they yield little (sparse matches), up to PAGE_MAX
  for (;;) {
    const wanted = 2 * (limit - found.length + skip) * grow;
    const page = Math.min(PAGE_MAX, Math.max(PAGE_MIN, Number.isFinite(wanted) ? wanted : PAGE_MAX));
    grow *= 2;
    const rows = await ctx.store.resources.descendants(root.ri, { ...query, order: 'path', after, lim: page });
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      // Candidates passed over to reach the offset do not count, so a continuation (ofst = Content Offset)
      // always makes progress; the time budget still bounds the skipping.
      if (skip === 0) examined++;
      let matched: boolean;
      try {
        matched = await matches(r, fc, relations);
      } catch (e) {
        // A child condition ran out of time on this candidate: stop before it, as for any budget stop.
        if (e instanceof BudgetSpent) return result(true);
        throw e;
      }
      const target = matched ? await resultFor(r) : undefined;
      if (target && !(await disabled.hides(target)) && (await permitted(target))) {
        if (skip > 0) skip--;
        else {
          found.push(target);
          if (found.length >= limit) {
            // Stopped by the CSE's own result cap, not the originator's limit: say so if more may follow.
            const more = i < rows.length - 1 || rows.length === page;
            return result(cappedByBudget && more);
          }
        }
      }
      if (examined >= budget.maxCandidates || Date.now() > deadline) {
        const more = i < rows.length - 1 || rows.length === page;
        return result(more);
      }
    }
    if (rows.length < page) return result(false);
    after = rows[rows.length - 1]!.srn;
  }
}
