// Bulk trust-anchor rotation (issue 17): one trustAnchorCred pushed to N <node>s (every <node> of the
// IN-CSE, or the ones named), one node at a time, with progress and a per-node result report; then,
// for `waitSeconds`, the status each device reports on its <mgmtObj> (applied, failed with its reason,
// or still pending). A node the IN-CSE refuses is reported and the rest go on. The fingerprint and URI
// are checked once before the first request, so a typo pushes nothing.
import { ActionError } from './actions.js';
import type { InCseClient } from './in-cse-client.js';
import { pushRemoteConfig } from './remote-config.js';

export interface RotationInput {
  fingerprint: string;
  uri: string;
  /** resourceNames of the <node>s; default every <node> under the CSEBase. */
  nodes?: string[];
  /** How long to follow the devices' reports after the push; 0: push only. */
  waitSeconds?: number;
}

export type NodeOutcome = 'pushed' | 'applied' | 'failed' | 'pending' | 'refused';

export interface NodeResult {
  node: string;
  /** The trustAnchorCred created under the node. */
  rn?: string;
  outcome: NodeOutcome;
  /** The device's applyResult, or why the IN-CSE refused the push. */
  detail?: string;
}

export interface RotationReport {
  fingerprint: string;
  total: number;
  /** Nodes the push was tried on. */
  pushed: number;
  applied: number;
  failed: number;
  pending: number;
  refused: number;
  results: NodeResult[];
  finished: boolean;
}

export function checkRotation(p: RotationInput): void {
  if (!/^[0-9a-fA-F]{64}$/.test(p.fingerprint)) {
    throw new ActionError("the fingerprint must be the SHA-256 of the certificate's DER (64 hex digits)", 400);
  }
  let u: URL | undefined;
  try {
    u = new URL(p.uri);
  } catch {
    u = undefined;
  }
  if (u?.protocol !== 'https:') throw new ActionError('the URI must be an https URL', 400);
  for (const n of p.nodes ?? []) {
    if (!/^[A-Za-z0-9._~-]+$/.test(n)) throw new ActionError(`'${n}' is not the resource name of a <node>`, 400);
  }
  const w = p.waitSeconds ?? 0;
  if (!Number.isInteger(w) || w < 0 || w > 3600) throw new ActionError('wait is 0 to 3600 seconds', 400);
}

async function allNodes(cse: InCseClient): Promise<string[]> {
  const d = await cse.send('GET', `${cse.cseBase}?fu=1&ty=14`);
  if (d.rsc !== 2000) throw new ActionError(`discovery of <node>s: IN-CSE answered ${d.status} rsc ${d.rsc}`);
  return ((d.body?.['m2m:uril'] ?? []) as string[]).map((u) => u.split('/').pop()!).sort();
}

const tally = (r: RotationReport): RotationReport => {
  const count = (o: NodeOutcome) => r.results.filter((x) => x.outcome === o).length;
  return {
    ...r,
    results: r.results.map((x) => ({ ...x })),
    applied: count('applied'),
    failed: count('failed'),
    pending: count('pending') + count('pushed'),
    refused: count('refused'),
  };
};

/** A rotation that has not started: every node still to be pushed (the console shows it at once). */
export function emptyRotationReport(fingerprint: string, total: number): RotationReport {
  return { fingerprint, total, pushed: 0, applied: 0, failed: 0, pending: 0, refused: 0, results: [], finished: false };
}

export async function rotateTrustAnchor(
  cse: InCseClient,
  p: RotationInput,
  onProgress: (r: RotationReport) => void = () => {},
  o: { intervalMs?: number } = {},
): Promise<RotationReport> {
  checkRotation(p);
  const fingerprint = p.fingerprint.toLowerCase();
  const nodes = p.nodes?.length ? [...new Set(p.nodes)] : await allNodes(cse);
  let report = emptyRotationReport(fingerprint, nodes.length);
  const progress = () => {
    report = tally(report);
    onProgress(report);
  };
  progress();
  for (const node of nodes) {
    const r = await pushRemoteConfig(cse, { node, trustAnchor: { fingerprint, uri: p.uri } }).then(
      (x): NodeResult => ({ node, rn: x.created[0]!.rn, outcome: 'pushed' }),
      (e: Error): NodeResult => ({ node, outcome: 'refused', detail: e.message }),
    );
    report.results.push(r);
    report.pushed++;
    progress();
  }
  // Follow what the devices report until each is final or the time is up.
  const deadline = Date.now() + (p.waitSeconds ?? 0) * 1000;
  for (;;) {
    const open = report.results.filter((x) => x.outcome === 'pushed' || x.outcome === 'pending');
    if (!open.length || Date.now() >= deadline) break;
    for (const x of open) {
      const a = await cse.send('GET', `${cse.cseBase}/${x.node}/${x.rn}`);
      const mo = a.rsc === 2000 ? a.body?.['m2m:tac'] : undefined;
      if (!mo) {
        x.outcome = 'failed';
        x.detail = `the trustAnchorCred is gone (IN-CSE answered ${a.rsc})`;
      } else if (mo.apst === 2 || mo.apst === 3) {
        x.outcome = mo.apst === 2 ? 'applied' : 'failed';
        if (mo.aprs) x.detail = String(mo.aprs);
      } else x.outcome = 'pending';
    }
    progress();
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 1000));
  }
  for (const x of report.results) if (x.outcome === 'pushed') x.outcome = 'pending';
  report.finished = true;
  progress();
  return report;
}
