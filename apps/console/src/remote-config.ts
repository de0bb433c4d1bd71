// Remote security configuration (issue 17 item 1, docs/remote-security-config.md): the security
// <mgmtObj>s of every <node> at the IN-CSE with the status each device reported, and the push of a
// trustAnchorCred and / or myCertFileCred to a node, as the administrator over oneM2M.
import { ActionError } from './actions.js';
import type { CseAnswer, InCseClient } from './in-cse-client.js';

const KINDS: Record<string, string> = {
  'm2m:aupf': 'authenticationProfile',
  'm2m:mcfc': 'myCertFileCred',
  'm2m:tac': 'trustAnchorCred',
  'm2m:mafcr': 'MAFClientRegCfg',
  'm2m:mefcr': 'MEFClientRegCfg',
};
const STATUS: Record<number, string> = { 1: 'pending', 2: 'applied', 3: 'failed' };

export interface RemoteConfigEntry {
  node: string;
  kind: string;
  rn: string;
  ri: string;
  status: string;
  result?: string;
  appliedFingerprint?: string;
  appliedAt?: string;
  lastModified: string;
  /** What the administrator set (fingerprints, URIs, links; never a key: the CSE refuses keys). */
  config: Record<string, unknown>;
}

const fail = (what: string, a: CseAnswer): never => {
  const dbg = typeof a.body === 'object' && a.body ? a.body['m2m:dbg'] : undefined;
  throw new ActionError(`${what}: IN-CSE answered ${a.status}${a.rsc ? ` rsc ${a.rsc}` : ''}${dbg ? ` (${dbg})` : ''}`);
};

const CONFIG_KEYS = [
  'suid',
  'tlscs',
  'skid',
  'krd',
  'mcfp',
  'mecr',
  'macr',
  'tacs',
  'suids',
  'mcff',
  'cfp',
  'turi',
  'fqdn',
  'adfq',
  'hpt',
  'copt',
  'wspt',
];

/** Every node with its security <mgmtObj>s and their reported status. */
export async function remoteConfig(cse: InCseClient): Promise<RemoteConfigEntry[]> {
  const d = await cse.send('GET', `${cse.cseBase}?fu=1&ty=14`);
  if (d.rsc !== 2000) fail('discovery of <node>s', d);
  const out: RemoteConfigEntry[] = [];
  for (const u of (d.body?.['m2m:uril'] ?? []) as string[]) {
    const r = await cse.send('GET', `${u.startsWith('/') ? u : `/${u}`}?rcn=4`);
    if (r.rsc !== 2000) continue;
    const node = r.body['m2m:nod'];
    for (const [root, kind] of Object.entries(KINDS)) {
      for (const mo of (node[root] ?? []) as Array<Record<string, any>>) {
        out.push({
          node: node.rn,
          kind,
          rn: mo.rn,
          ri: mo.ri,
          status: STATUS[mo.apst as number] ?? 'unknown',
          ...(mo.aprs ? { result: mo.aprs } : {}),
          ...(mo.apfp ? { appliedFingerprint: mo.apfp } : {}),
          ...(mo.aptm ? { appliedAt: mo.aptm } : {}),
          lastModified: mo.lt,
          config: Object.fromEntries(CONFIG_KEYS.filter((k) => mo[k] !== undefined).map((k) => [k, mo[k]])),
        });
      }
    }
  }
  return out;
}

export interface PushInput {
  /** resourceName of the <node> under the CSEBase. */
  node: string;
  trustAnchor?: { fingerprint: string; uri: string };
  /** resourceName of the node's MEFClientRegCfg: the device enrols a new certificate there. */
  enrolAt?: string;
}

/**
 * Creates a trustAnchorCred and / or a myCertFileCred (each new, named by the time, so every push is a
 * record with its own status) with the <node>'s own access-control policies.
 */
export async function pushRemoteConfig(cse: InCseClient, p: PushInput, now = new Date()) {
  if (!/^[A-Za-z0-9._~-]+$/.test(p.node)) throw new ActionError('node must be the resource name of a <node>', 400);
  if (!p.trustAnchor && !p.enrolAt)
    throw new ActionError('give a trust anchor (fingerprint and URI), a MEF, or both', 400);
  const nodePath = `${cse.cseBase}/${p.node}`;
  const n = await cse.send('GET', nodePath);
  if (n.rsc !== 2000) fail(`<node> ${p.node}`, n);
  const acpi = n.body['m2m:nod'].acpi;
  const stamp = now
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 17);
  const created: Array<{ kind: string; rn: string; ri: string }> = [];
  if (p.trustAnchor) {
    const rn = `ta-${stamp}`;
    const r = await cse.send('POST', nodePath, {
      ty: 13,
      body: {
        'm2m:tac': {
          rn,
          mgd: 1024,
          cfp: p.trustAnchor.fingerprint.toLowerCase(),
          turi: p.trustAnchor.uri,
          ...(acpi ? { acpi } : {}),
        },
      },
    });
    if (r.rsc !== 2001) fail('CREATE of the trustAnchorCred', r);
    created.push({ kind: 'trustAnchorCred', rn, ri: r.body['m2m:tac'].ri });
  }
  if (p.enrolAt) {
    const mef = await cse.send('GET', `${nodePath}/${p.enrolAt}`);
    if (mef.rsc !== 2000 || !mef.body['m2m:mefcr'])
      throw new ActionError(`${p.enrolAt} is not a MEFClientRegCfg of ${p.node}`, 400);
    const rn = `cert-${stamp}`;
    const r = await cse.send('POST', nodePath, {
      ty: 13,
      body: { 'm2m:mcfc': { rn, mgd: 1023, mecr: mef.body['m2m:mefcr'].ri, ...(acpi ? { acpi } : {}) } },
    });
    if (r.rsc !== 2001) fail('CREATE of the myCertFileCred', r);
    created.push({ kind: 'myCertFileCred', rn, ri: r.body['m2m:mcfc'].ri });
  }
  return { node: p.node, created };
}
