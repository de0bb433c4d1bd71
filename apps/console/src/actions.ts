// Every console action as one function of the IN-CSE client: the web views and the CLI both call
// these, so each view has its CLI command (`m2msec-console <command> --json`). Errors are
// ActionError with the IN-CSE's answer (status / rsc) and a message, never a stack.
import type { CseAnswer, InCseClient } from './in-cse-client.js';

export class ActionError extends Error {
  constructor(
    message: string,
    readonly status = 502,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

const fail = (what: string, a: CseAnswer): never => {
  const dbg = typeof a.body === 'object' && a.body ? (a.body['m2m:dbg'] ?? a.body.error) : undefined;
  throw new ActionError(`${what}: IN-CSE answered ${a.status}${a.rsc ? ` rsc ${a.rsc}` : ''}${dbg ? ` (${dbg})` : ''}`);
};

// AccessControlOperations (TS-0004 6.3.4.2.4).
export const OPERATIONS: Record<string, number> = {
  create: 1,
  retrieve: 2,
  update: 4,
  delete: 8,
  notify: 16,
  discover: 32,
};

/** Resources of one type under the CSEBase (discovery, fu=1), each retrieved. */
async function discover(cse: InCseClient, ty: number, key: string): Promise<any[]> {
  const d = await cse.send('GET', `${cse.cseBase}?fu=1&ty=${ty}`);
  if (d.rsc !== 2000) fail(`discovery of ty=${ty}`, d);
  const uris: string[] = d.body?.['m2m:uril'] ?? [];
  const out: any[] = [];
  for (const u of uris) {
    const r = await cse.send('GET', u.startsWith('/') ? u : `/${u}`);
    if (r.rsc === 2000 && r.body?.[key]) out.push({ ...r.body[key], uri: u });
  }
  return out;
}

export interface LiveSession {
  credentialId: string;
  framework: string;
  pskIdentity?: string;
  provenIds: string[];
  boundIds: string[];
  certificate?: { subjectAltNames: string[]; fingerprint256: string };
  peerAddress: string;
  establishedAt: string;
  expiresAt?: string;
}

export async function sessions(cse: InCseClient): Promise<LiveSession[]> {
  const r = await cse.send('GET', '/.well-known/m2msec/sessions');
  if (r.status !== 200) fail('live sessions', r);
  return r.body.sessions;
}

/** AEs and remote CSEs with the identity their association authenticated and its type. */
export async function nodes(cse: InCseClient) {
  const [aes, csrs, live] = await Promise.all([
    discover(cse, 2, 'm2m:ae'),
    discover(cse, 16, 'm2m:csr'),
    sessions(cse),
  ]);
  // Bound / proven IDs may be CSE-relative (Cxyz) or SP-relative (/id-in/Cxyz).
  const same = (x: string, id: string) => x === id || x.endsWith(`/${id}`) || id.endsWith(`/${x}`);
  const assoc = (id: string) =>
    live.filter((s) => s.boundIds.some((b) => same(b, id)) || s.provenIds.some((p) => same(p, id)));
  return {
    aes: aes.map((a) => ({
      aei: a.aei,
      rn: a.rn,
      api: a.api,
      ct: a.ct,
      associations: assoc(a.aei).map((s) => ({
        framework: s.framework,
        credentialId: s.credentialId,
        peer: s.peerAddress,
      })),
    })),
    remoteCses: csrs.map((c) => ({
      csi: c.csi,
      rn: c.rn,
      cb: c.cb,
      associations: assoc(c.csi).map((s) => ({
        framework: s.framework,
        credentialId: s.credentialId,
        peer: s.peerAddress,
      })),
    })),
    sessions: live,
  };
}

export async function acps(cse: InCseClient) {
  return (await discover(cse, 1, 'm2m:acp')).map((a) => ({
    ri: a.ri,
    rn: a.rn,
    uri: a.uri,
    pv: a.pv,
    pvs: a.pvs,
    lt: a.lt,
  }));
}

/** UPDATE of an <accessControlPolicy>'s privileges (pv) over oneM2M, as the administrator. */
export async function updateAcp(cse: InCseClient, uri: string, pv: unknown) {
  if (typeof pv !== 'object' || pv === null || !Array.isArray((pv as { acr?: unknown }).acr))
    throw new ActionError('pv must be an object with an acr list', 400);
  const r = await cse.send('PUT', uri.startsWith('/') ? uri : `/${uri}`, { body: { 'm2m:acp': { pv } } });
  if (r.rsc !== 2004) fail(`UPDATE of ${uri}`, r);
  return r.body['m2m:acp'];
}

/** The IN-CSE's explanation (authorization's AccessDecisionPoint.explain), rules named by policy rn. */
export interface ConsoleExplanation {
  permit: boolean;
  rule?: string;
  reason: string;
  target?: string;
  governing?: string;
  policies: string[];
  context?: Record<string, unknown>;
  rules: Array<{ rule: string; permits: boolean; reason: string }>;
}

/**
 * May `from` do `op` on `to` now, and by which rule? Asked of the IN-CSE's own decision point
 * (GET /.well-known/m2msec/explain, administrators on their association only), so the answer is what the
 * CSE enforces, for an authenticated request. Rules are named `<acp ri>.pv.acr[i]` there; shown here by the
 * policy's rn where the administrator can read it.
 */
export async function explain(cse: InCseClient, from: string, op: string, to: string): Promise<ConsoleExplanation> {
  if (!OPERATIONS[op]) throw new ActionError(`op must be one of ${Object.keys(OPERATIONS).join(', ')}`, 400);
  if (!from) throw new ActionError('from is required', 400);
  const path = to.startsWith('/') ? to : `/${to}`;
  const q = new URLSearchParams({ from, op, to: path.slice(1) });
  const r = await cse.send('GET', `/.well-known/m2msec/explain?${q}`);
  if (r.status !== 200) fail(`explanation for ${to}`, r);
  const e = r.body as ConsoleExplanation;
  let label = (s: string) => s;
  for (const ri of e.policies) {
    const p = await cse.send('GET', `/${ri}`);
    const rn = p.rsc === 2000 ? p.body['m2m:acp']?.rn : undefined;
    if (typeof rn !== 'string' || rn === ri) continue;
    const prev = label;
    label = (s: string) => prev(s).replaceAll(`${ri}.`, `${rn}.`);
  }
  return {
    ...e,
    ...(e.rule !== undefined ? { rule: label(e.rule) } : {}),
    reason: label(e.reason),
    rules: e.rules.map((v) => ({ ...v, rule: label(v.rule), reason: label(v.reason) })),
  };
}

export async function pskCredentials(cse: InCseClient) {
  const r = await cse.send('GET', '/.well-known/m2msec/credentials/psk');
  if (r.status !== 200) fail('PSK list', r);
  return r.body.psk as Array<{
    credentialId: string;
    keyId: string;
    boundIds: string[];
    createdAt: string;
    expiresAt?: string;
  }>;
}

/** Revokes a Kpsa at the IN-CSE: key, binding and live sessions (docs/certificate-lifecycle.md). */
export async function revokePsk(cse: InCseClient, keyId: string) {
  if (!keyId) throw new ActionError('keyId is required', 400);
  const r = await cse.send('DELETE', `/.well-known/m2msec/credentials/psk/${encodeURIComponent(keyId)}`);
  if (r.status !== 200) fail(`revocation of ${keyId}`, r);
  return r.body as { revoked: string; associations: number };
}

export async function cseAudit(cse: InCseClient, q: { kind?: string; since?: string; limit?: number }) {
  const params = new URLSearchParams();
  if (q.kind) params.set('kind', q.kind);
  if (q.since) params.set('since', q.since);
  if (q.limit) params.set('limit', String(q.limit));
  const r = await cse.send('GET', `/.well-known/m2msec/audit${params.size ? `?${params}` : ''}`);
  if (r.status !== 200) fail('audit log', r);
  return r.body;
}
