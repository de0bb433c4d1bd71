// Stores written before acpi / daci links were resourceIDs (pipeline/policy-links.ts) hold the IDs as the
// originator gave them, often structured names. Run once when the CSE opens a store: each entry becomes
// the resourceID of the resource it linked, decided by what the store can still prove. A structured name is
// translated only if a resource of the right type is there now and was created no later than the linking
// resource was last modified (lastModifiedTime), since what was linked when the attribute was set existed
// then; one created after it is a name reuse (the acpi hijack) and is not linked. Entries that cannot be
// translated are kept as they are: evaluation follows resourceIDs only, so they link nothing (fail closed).
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import { CONSULTATION_LINKS, type LinkKind, linkedResourceId, POLICY_LINKS } from '../pipeline/policy-links.js';

const MARKER = { collection: 'cse-migrations', key: 'acpi-resource-ids' };
const PAGE = 500;

/** The translated entry, or the entry unchanged when it cannot be proved to name the policy it linked. */
async function translate(core: Core, kind: LinkKind, linking: StoredResource, entry: unknown): Promise<unknown> {
  if (typeof entry !== 'string') return entry;
  const ri = linkedResourceId(core.idContext, entry);
  if (ri !== undefined) return ri; // already a resourceID (possibly SP-relative / absolute: made CSE-relative)
  const sp = `//${core.idContext.spId}${core.idContext.cseId}/`;
  let srn = entry.startsWith(sp) ? entry.slice(sp.length) : entry;
  if (srn.startsWith(`${core.idContext.cseId}/`)) srn = srn.slice(core.idContext.cseId.length + 1);
  if (srn.startsWith('-/')) srn = `${core.config.cseBaseName}/${srn.slice(2)}`;
  if (srn.startsWith('/')) return entry; // another CSE's policy: never evaluated here
  if (!srn.startsWith(`${core.config.cseBaseName}/`)) {
    // Unstructured then structured ('Cae1/acp1', TS-0001 Table 7.2-1): the first segment is a resourceID.
    const [head, ...rest] = srn.split('/');
    const first = await core.store.resources.get(head!);
    if (!first) return unresolved(core, kind, linking, entry);
    srn = `${first.srn}/${rest.join('/')}`;
  }
  const p = await core.store.resources.getBySrn(srn);
  if (p?.ty === kind.ty && p.ct <= linking.lt) return p.ri;
  return unresolved(core, kind, linking, entry);
}

function unresolved(core: Core, kind: LinkKind, linking: StoredResource, entry: string): string {
  core.log.warn(
    { resource: linking.ri, attribute: kind.attribute },
    'link migration: a structured link names nothing that existed when it was set; it links nothing now',
  );
  return entry;
}

async function translated(core: Core, kind: LinkKind, r: StoredResource): Promise<unknown[] | undefined> {
  const links = r[kind.attribute];
  if (!Array.isArray(links) || links.length === 0) return undefined;
  const out: unknown[] = [];
  for (const e of links) out.push(await translate(core, kind, r, e));
  return out.every((e, i) => e === links[i]) ? undefined : [...new Set(out)];
}

async function migrate(core: Core, r: StoredResource): Promise<void> {
  const acpi = await translated(core, POLICY_LINKS, r);
  const daci = await translated(core, CONSULTATION_LINKS, r);
  if (!acpi && !daci) return;
  await core.store.transaction(async (tx) => {
    const fresh = await tx.resources.get(r.ri);
    // Changed meanwhile (by a CSE that already writes resourceIDs): leave it.
    if (fresh && fresh.lt === r.lt)
      await tx.resources.update({ ...fresh, ...(acpi ? { acpi } : {}), ...(daci ? { daci } : {}) });
  });
}

/** Translates every stored acpi and daci to resourceIDs once per store (a marker records that it ran). */
export async function migrateAcpiToResourceIds(core: Core): Promise<number> {
  const done = core.store.collection<{ at: string }>(MARKER.collection);
  if (await done.get(MARKER.key)) return 0;
  const base = await core.store.resources.get(core.cseBaseRi);
  let seen = 0;
  if (base) await migrate(core, base);
  for (let ofst = 0; ; ofst += PAGE) {
    const page = await core.store.resources.descendants(core.cseBaseRi, { order: 'asc', lim: PAGE, ofst });
    for (const r of page) await migrate(core, r);
    seen += page.length;
    if (page.length < PAGE) break;
  }
  await done.put(MARKER.key, { at: new Date().toISOString() });
  return seen;
}
