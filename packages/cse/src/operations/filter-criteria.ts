// Filter Criteria evaluation (TS-0004 7.3.3.17): which resources match the matching conditions of a request.
// The store applies what it indexes (ty, lbl, time bounds, lvl) when the conditions are ANDed; this module
// evaluates every condition on each candidate, so results are the same whichever part the store did.
import { type FilterCriteria, FilterUsage, M2MError, ResponseStatusCode } from '@m2msec/protocol';
import type { ResourceQuery, StoredResource } from '@m2msec/store';
import type { RequestContext } from '../request-context.js';
import { checkRelativePath } from './apply-relative-path.js';
import { compileLabelsQuery, type LabelsQuery } from './labels-query.js';

const compiledQueries = new Map<string, LabelsQuery>();
/** labelsQuery expressions compiled once (a small bounded cache: requests repeat their queries). */
function compiledLabelsQuery(q: string): LabelsQuery {
  let f = compiledQueries.get(q);
  if (f === undefined) {
    f = compileLabelsQuery(q);
    if (compiledQueries.size >= 256) compiledQueries.clear();
    compiledQueries.set(q, f);
  }
  return f;
}

/** m2m:filterOperation (TS-0004 6.3.4.2.34). */
const OR = 2;

/**
 * Members of m2m:filterCriteria this CSE does not evaluate: refused (5001) rather than ignored, so a filter
 * never silently widens a result (semantic and content-based discovery 7.3.3.17.13 / 7.3.3.18).
 */
const NOT_EVALUATED: Readonly<Record<string, string>> = {
  smf: 'semanticsFilter',
  cfs: 'contentFilterSyntax',
  cfq: 'contentFilterQuery',
};

/** Attributes 7.3.3.17.9 excludes from attribute conditions (they have their own condition tags). */
const NOT_ATTRIBUTE_CONDITIONS = new Set(['ct', 'lt', 'st', 'et', 'lbl', 'ty', 'cs', 'cnf']);

/** Elements that are not matching conditions (7.3.3.17.10 - .15). */
const HANDLING = new Set(['fu', 'fo', 'lim', 'ofst', 'lvl', 'arp']);

type AttributeCondition = { nm: string; val: unknown };

/** Refuses filter criteria this CSE cannot evaluate exactly (5001) or that 7.3.3.17.9 forbids (4000). */
export function checkEvaluable(fc: FilterCriteria | undefined): void {
  if (!fc) return;
  if (fc.fu === FilterUsage.ipeOnDemandDiscovery)
    // 7.3.3.14: with no match the CSE would have to trigger the IPE by a NOTIFY, which it cannot do.
    throw new M2MError(
      ResponseStatusCode.NOT_IMPLEMENTED,
      'filterUsage 3 (IPE on-demand discovery) is not supported by this CSE',
    );
  if (fc.arp !== undefined) checkRelativePath(fc.arp);
  if (typeof fc.lbq === 'string') compileLabelsQuery(fc.lbq);
  for (const k of Object.keys(fc)) {
    const name = NOT_EVALUATED[k];
    if (name !== undefined)
      throw new M2MError(
        ResponseStatusCode.NOT_IMPLEMENTED,
        `filter criteria element '${k}' (${name}) is not supported by this CSE`,
      );
  }
  for (const a of [...attributeConditions(fc), ...(fc.patr ?? []), ...(fc.catr ?? [])]) {
    if (NOT_ATTRIBUTE_CONDITIONS.has(a.nm))
      throw new M2MError(
        ResponseStatusCode.BAD_REQUEST,
        `attribute '${a.nm}' cannot be an attribute filter condition (TS-0004 7.3.3.17.9: use its own filter element)`,
      );
  }
}

function attributeConditions(fc: FilterCriteria): AttributeCondition[] {
  return fc.atr ?? [];
}

/** Lookups the parent/child conditions need (7.3.3.17.5, .6, .9). */
export interface Relations {
  parent(r: StoredResource): Promise<StoredResource | undefined>;
  /** Whether `r` has a child of one of the types / with one of the labels / satisfying `test`. */
  hasChild(
    r: StoredResource,
    q: { ty?: number[]; lbl?: string[] },
    test?: (child: StoredResource) => boolean,
  ): Promise<boolean>;
}

/** Thrown when looking through a candidate's children outlasts the request's time budget. */
export class BudgetSpent extends Error {
  override readonly name = 'BudgetSpent';
}

const CHILD_PAGE = 100;

/**
 * Relations through the store, seen with the originator's rights: a parent or child it may not access
 * (`permitted`) counts as absent, so a condition on it cannot reveal what the originator could not read
 * itself. Parents are read once per request.
 */
export function storeRelations(
  store: RequestContext['store'],
  permitted: (r: StoredResource) => Promise<boolean>,
  deadline = Number.POSITIVE_INFINITY,
): Relations {
  const parents = new Map<string, Promise<StoredResource | undefined>>();
  return {
    parent(r) {
      let p = parents.get(r.pi);
      if (p === undefined) {
        p = store.resources.get(r.pi).then(async (x) => (x && (await permitted(x)) ? x : undefined));
        parents.set(r.pi, p);
      }
      return p;
    },
    async hasChild(r, q, test) {
      let after: string | undefined;
      for (;;) {
        if (Date.now() > deadline) throw new BudgetSpent('time budget spent in a child condition');
        const page = await store.resources.children(r.ri, { ...q, order: 'path', after, lim: CHILD_PAGE });
        for (const c of page) if ((!test || test(c)) && (await permitted(c))) return true;
        if (page.length < CHILD_PAGE) return false;
        after = page[page.length - 1]!.srn;
      }
    },
  };
}

/** Whether the criteria hold any matching condition (not only handling elements such as lim or lvl). */
export function hasMatchingConditions(fc: FilterCriteria | undefined): boolean {
  return fc !== undefined && Object.keys(fc).some((k) => !HANDLING.has(k));
}

/** The part of the conditions the store evaluates: all of its kind when ANDed, none but the depth when ORed. */
export function storeQuery(fc: FilterCriteria | undefined): ResourceQuery {
  if (!fc) return {};
  if (fc.fo === OR) return { lvl: fc.lvl };
  return {
    ty: fc.ty,
    lbl: fc.lbl,
    cra: fc.cra,
    crb: fc.crb,
    exa: fc.exa,
    exb: fc.exb,
    ms: fc.ms,
    us: fc.us,
    lvl: fc.lvl,
  };
}

/** A half-open interval test [low, high) on a string or number attribute; absent values never match. */
function within<T extends string | number>(v: unknown, low: T | undefined, high: T | undefined): boolean {
  if (v === undefined || v === null) return false;
  if (low !== undefined && (v as T) < low) return false;
  if (high !== undefined && (v as T) >= high) return false;
  return true;
}

function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}

function valueMatches(actual: unknown, wanted: unknown, discovery: boolean): boolean {
  if (Array.isArray(actual)) return actual.some((a) => valueMatches(a, wanted, discovery));
  if (typeof wanted === 'string') {
    if (actual === null || typeof actual === 'object') return JSON.stringify(actual) === wanted;
    // A query string carries every value as text (TS-0009 6.2.2.2): '2' matches the number 2.
    const text = String(actual);
    // 7.3.3.17.9: '*' matches zero or more characters, in discovery requests only.
    return discovery && wanted.includes('*') ? wildcard(wanted).test(text) : text === wanted;
  }
  return JSON.stringify(actual) === JSON.stringify(wanted);
}

/** typeOfContent of a contentInfo 'type/subtype[:encoding]' (TS-0004 7.3.3.17.8). */
function typeOfContent(cnf: unknown): string | undefined {
  return typeof cnf === 'string' ? cnf.split(':')[0] : undefined;
}

/**
 * The condition results for one resource, one per condition tag present (7.3.3.17.0: repeated values of
 * one tag are ORed). Paired bounds (cra/crb, ms/us, sts/stb, exa/exb, sza/szb) form one interval
 * condition each, as clauses 7.3.3.17.1 - .4 and .7 define them.
 */
async function conditions(r: StoredResource, fc: FilterCriteria, rel: Relations): Promise<boolean[]> {
  const out: boolean[] = [];
  const discovery = fc.fu === FilterUsage.discovery;
  const matchesAttributes = (x: StoredResource, atr: AttributeCondition[]) =>
    atr.some((a) => !a.nm.startsWith('__') && a.nm !== 'srn' && a.nm in x && valueMatches(x[a.nm], a.val, discovery));
  if (fc.cra !== undefined || fc.crb !== undefined) out.push(within(r.ct, fc.cra, fc.crb));
  if (fc.ms !== undefined || fc.us !== undefined) out.push(within(r.lt, fc.ms, fc.us));
  if (fc.stb !== undefined || fc.sts !== undefined) out.push(within(r.st, fc.stb, fc.sts));
  if (fc.exa !== undefined || fc.exb !== undefined) out.push(within(r.et, fc.exa, fc.exb));
  if (fc.lbl !== undefined) out.push((r.lbl ?? []).some((l) => fc.lbl!.includes(l)));
  if (typeof fc.lbq === 'string') out.push(compiledLabelsQuery(fc.lbq)(r.lbl ?? []));
  if (fc.ty !== undefined) out.push(fc.ty.includes(r.ty));
  if (fc.sza !== undefined || fc.szb !== undefined) out.push(within(r.cs, fc.sza, fc.szb));
  if (fc.cty !== undefined) {
    const t = typeOfContent(r.cnf);
    out.push(t !== undefined && fc.cty.includes(t));
  }
  const atr = attributeConditions(fc);
  if (atr.length > 0) out.push(matchesAttributes(r, atr));
  // Parent conditions: the resource matches when its parent does (7.3.3.17.5 palb, .6 pty, .9 patr).
  const { pty, palb, patr } = fc;
  if (pty !== undefined || palb !== undefined || patr !== undefined) {
    const parent = await rel.parent(r);
    if (pty !== undefined) out.push(parent !== undefined && pty.includes(parent.ty));
    if (palb !== undefined) out.push(parent !== undefined && (parent.lbl ?? []).some((l) => palb.includes(l)));
    if (patr !== undefined) out.push(parent !== undefined && matchesAttributes(parent, patr));
  }
  // Child conditions: the resource matches when one of its children does (7.3.3.17.5 clbl, .6 chty, .9 catr).
  if (fc.chty !== undefined) out.push(await rel.hasChild(r, { ty: fc.chty }));
  if (fc.clbl !== undefined) out.push(await rel.hasChild(r, { lbl: fc.clbl }));
  const { catr } = fc;
  if (catr !== undefined) out.push(await rel.hasChild(r, {}, (c) => matchesAttributes(c, catr)));
  return out;
}

/** Whether a resource satisfies the matching conditions, combined by filterOperation (default AND). */
export async function matches(r: StoredResource, fc: FilterCriteria | undefined, rel: Relations): Promise<boolean> {
  if (!fc) return true;
  const results = await conditions(r, fc, rel);
  if (results.length === 0) return true;
  return fc.fo === OR ? results.some(Boolean) : results.every(Boolean);
}
