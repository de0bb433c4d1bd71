// A direct reading of the TS-0003 7.1.5 reference access decision algorithm, written independently of
// the compiled matchers (regular expressions, node:net BlockList, explicit loops) for property tests.
import { BlockList } from 'node:net';
import { type IdContext, parseOriginator, toSpRelativeOriginator } from '@m2msec/protocol';
import { iso1A2Codes } from '@rapideditor/country-coder';

export interface RefRequest {
  originator: string;
  operation: number;
  authenticated: boolean;
  resourceType?: number;
  targetType?: number;
  specialization?: string | number;
  time?: Date;
  ip?: string;
  location?: { latitude: number; longitude: number };
  roles?: string[];
  groups?: string[];
}

const RANGES = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
  [2000, 9999],
] as const;

// ismember(rq_time, window): each field value is admitted by one of its comma-separated elements.
function fieldAdmits(field: string, value: number, [min, max]: readonly [number, number]): boolean {
  return field.split(',').some((el) => {
    const [range, step] = el.split('/');
    const [lo, hi] =
      range === '*'
        ? [min, max]
        : range!.includes('-')
          ? range!.split('-').map(Number)
          : [Number(range), Number(range)];
    const s = step === undefined ? 1 : Number(step);
    return value >= lo! && value <= hi! && (value - lo!) % s === 0;
  });
}

function inWindow(entry: string, t: Date): boolean {
  const f = entry.trim().split(/\s+/);
  const v = [
    t.getUTCSeconds(),
    t.getUTCMinutes(),
    t.getUTCHours(),
    t.getUTCDate(),
    t.getUTCMonth() + 1,
    t.getUTCDay(),
    t.getUTCFullYear(),
  ];
  return f.every((field, i) => field === '*' || fieldAdmits(field, v[i]!, RANGES[i]!));
}

function inIpList(acip: { ipv4?: string[]; ipv6?: string[] }, ip: string): boolean {
  const bl = new BlockList();
  for (const e of acip.ipv4 ?? []) {
    const [a, p] = e.split('/');
    bl.addSubnet(a!, p === undefined ? 32 : Number(p), 'ipv4');
  }
  for (const e of acip.ipv6 ?? []) {
    const [a, p] = e.split('/');
    bl.addSubnet(a!, p === undefined ? 128 : Number(p), 'ipv6');
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const addr = mapped ? mapped[1]! : ip;
  return bl.check(addr, addr.includes(':') ? 'ipv6' : 'ipv4');
}

function distance(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * r) / 2) ** 2 +
    Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
}

function inRegion(aclr: { accc?: string[]; accr?: number[] }, loc: { latitude: number; longitude: number }): boolean {
  if (aclr.accr) return distance(aclr.accr[0]!, aclr.accr[1]!, loc.latitude, loc.longitude) <= aclr.accr[2]!;
  const here = iso1A2Codes([loc.longitude, loc.latitude]);
  return (aclr.accc ?? []).some((c) => here.includes(c));
}

function segmentRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
}

function absolute(originator: string, ctx: IdContext): string | undefined {
  if (originator.startsWith('//')) return originator;
  if (originator.startsWith('/')) return `//${ctx.spId}${originator}`;
  return undefined;
}

// ismember(Originator, acor)
function originatorMatches(acor: string[], r: RefRequest, ctx: IdContext): boolean {
  const abs = absolute(r.originator, ctx);
  return acor.some((e) => {
    if (e === 'all') return true;
    if (e.includes('@')) return (r.roles ?? []).includes(e);
    if (e.startsWith('//') && !e.slice(2).includes('/'))
      return abs !== undefined && segmentRegex(e.slice(2)).test(abs.slice(2).split('/')[0]!);
    let full: string | undefined;
    if (e.startsWith('//')) full = e;
    else if (e.startsWith('/')) full = `//${ctx.spId}${e}`;
    else if (/^C[^/]*$/.test(e)) full = `//${ctx.spId}${ctx.cseId}/${e}`;
    else if (/^S[^/]*$/.test(e)) full = `//${ctx.spId}/${e}`;
    if (e.includes('*'))
      return (
        full !== undefined &&
        abs !== undefined &&
        new RegExp(
          `^${full
            .split('/')
            .map((s) => (s === '' ? '' : segmentRegex(s).source.slice(1, -1)))
            .join('/')}$`,
        ).test(abs)
      );
    if (full !== undefined) {
      try {
        const o = parseOriginator(full);
        if (o.kind !== 'other') return toSpRelativeOriginator(o, ctx) === r.originator;
      } catch {
        /* a resource ID */
      }
    }
    return (r.groups ?? []).includes(e);
  });
}

export interface RefRule {
  acor: string[];
  acop: number;
  acaf?: boolean;
  acco?: Array<{
    actw?: string[];
    acip?: { ipv4?: string[]; ipv6?: string[] };
    aclr?: { accc?: string[]; accr?: number[] };
  }>;
  acod?: Array<{ ty?: number; spty?: string | number; chty: number[] }>;
}

/** res_acr(k) = res_authn AND res_origs AND res_ops AND res_ctxts AND res_objd (TS-0003 7.1.5). */
export function referenceRule(rule: RefRule, r: RefRequest, ctx: IdContext): boolean {
  const resAuthn = !(rule.acaf === true && !r.authenticated);
  const resOrigs = originatorMatches(rule.acor, r, ctx);
  const resOps = (rule.acop & r.operation) !== 0;
  let resCtxts = true;
  if (rule.acco && rule.acco.length > 0) {
    resCtxts = rule.acco.some((m) => {
      const resTime =
        !m.actw || m.actw.length === 0 || (r.time !== undefined && m.actw.some((w) => inWindow(w, r.time!)));
      const resIp = !m.acip || (r.ip !== undefined && inIpList(m.acip, r.ip));
      const resLoc = !m.aclr || (r.location !== undefined && inRegion(m.aclr, r.location));
      return resTime && resIp && resLoc;
    });
  }
  let resObjd = true;
  if (r.operation === 1 && rule.acod && rule.acod.length > 0) {
    resObjd = rule.acod.some(
      (d) =>
        (d.ty === undefined || d.ty === r.targetType) &&
        (d.spty === undefined || String(d.spty) === String(r.specialization)) &&
        r.resourceType !== undefined &&
        d.chty.includes(r.resourceType),
    );
  }
  return resAuthn && resOrigs && resOps && resCtxts && resObjd;
}

/** res_acrs = OR over the rules. */
export function referenceDecision(rules: RefRule[], r: RefRequest, ctx: IdContext): boolean {
  return rules.some((rule) => referenceRule(rule, r, ctx));
}
