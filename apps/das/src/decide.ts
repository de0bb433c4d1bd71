// The DAS Server's decision (TS-0003 7.3.2.2 step 3, not specified by oneM2M): the first rule whose
// originators, operations, targets and resource types match decides. A grant becomes dynamicACPInfo
// (privileges for the Originator with a lifetime) and/or a token for the Originator whose audience is
// the consulting CSE; no matching rule, or a deny rule, grants nothing.
import { randomBytes } from 'node:crypto';
import { type DasRequest, type DasResponse, issueToken, normaliseId, type TokenKey } from '@m2msec/authorization';
import { formatTimestamp, type IdContext } from '@m2msec/protocol';
import type { DasConfig, DasRule } from './config.js';

function wildcard(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  if (!value.startsWith(parts[0]!) || !value.endsWith(parts[parts.length - 1]!)) return false;
  let pos = parts[0]!.length;
  const end = value.length - parts[parts.length - 1]!.length;
  for (const p of parts.slice(1, -1)) {
    const at = value.indexOf(p, pos);
    if (at < 0 || at + p.length > end) return false;
    pos = at + p.length;
  }
  return pos <= end;
}

function matches(rule: DasRule, d: DasRequest, ctx: IdContext): boolean {
  const who = normaliseId(d.or, ctx);
  if (rule.originators && !rule.originators.some((o) => normaliseId(o, ctx) === who)) return false;
  if (rule.operations && !rule.operations.includes(d.op)) return false;
  if (rule.targets && !rule.targets.some((t) => wildcard(t, d.trid))) return false;
  if (rule.resourceTypes && (d.trt === undefined || !rule.resourceTypes.includes(d.trt))) return false;
  return true;
}

export interface Decision {
  rule?: string;
  response: DasResponse;
}

export async function decide(
  config: DasConfig,
  key: TokenKey,
  d: DasRequest,
  consultingCse: string,
  now: Date,
): Promise<Decision> {
  const ctx = { spId: config.spId, cseId: '/' }; // the DAS hosts no resources: IDs compare SP-relative
  const rule = config.rules.find((r) => matches(r, d, ctx));
  if (!rule || rule.deny || !rule.grant) return { rule: rule?.name, response: {} };
  const { acop, lifetimeMs, as } = rule.grant;
  const until = new Date(now.getTime() + lifetimeMs);
  const privileges = { acr: [{ acor: [d.or], acop }] };
  const response: DasResponse = {};
  if (as === 'policy' || as === 'both')
    response.dai = { gp: privileges, pl: formatTimestamp(until, { fraction: true }) };
  if (as === 'token' || as === 'both') {
    const token = await issueToken(
      {
        tkvr: '1',
        tkid: `das${randomBytes(9).toString('hex')}@${config.tokenIdDomain}`,
        tkis: config.dasId,
        tkhd: d.or,
        tknb: formatTimestamp(new Date(now.getTime() - 1000)),
        tkna: formatTimestamp(until),
        tkau: [consultingCse],
        tkps: { pm: [{ ris: [d.trid], pv: privileges }] },
      },
      { signingKey: key, alg: config.alg },
    );
    response.tkns = [token];
  }
  return { rule: rule.name, response };
}
