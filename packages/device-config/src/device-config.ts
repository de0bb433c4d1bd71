// The device side of remote security configuration (TS-0003 8.3.8 / 8.3.9.9, docs/remote-security-config.md):
// the node polls its <node> at the IN-CSE, applies every security <mgmtObj> the CSE marks pending
// (applyStatus 1) in dependency order (trust anchors, MEF / MAF configuration, certificate, profile),
// switches its association without a restart, checks the new association with a request over it (and
// goes back to the old credential if that fails), and reports the result on the <mgmtObj>.

import { fetchCaCertificates } from '@m2msec/est';
import type { RequestPrimitive, RequestSender, ResponsePrimitive } from '@m2msec/protocol';
import {
  type CertificateCredential,
  certificateFingerprint,
  frameworkOf,
  keyMatches,
  leafOf,
  pemBlocks,
} from './credential.js';
import { enrolNewCertificate } from './enrol-certificate.js';
import { obtainTrustAnchor } from './fetch-trust-anchor.js';
import type { SwitchableAgent } from './switchable-agent.js';

export const APPLY_PENDING = 1;
export const APPLY_APPLIED = 2;
export const APPLY_FAILED = 3;

/** The roots in the order they are applied. */
const ORDER = ['m2m:tac', 'm2m:mefcr', 'm2m:mafcr', 'm2m:mcfc', 'm2m:aupf'] as const;
type Root = (typeof ORDER)[number];
type Mo = Record<string, unknown> & { ri: string };

export interface DeviceConfigOptions {
  /** Sends over the node's association to its registrar (the switchable agent's). */
  sender: RequestSender;
  /** The registrar's URL (point of access). */
  poa: string;
  /** The node's own originator (its CSE-ID, or AE-ID). */
  originator: string;
  /** SP-relative CSE-ID of the IN-CSE that hosts the <node>, e.g. '/id-in'. */
  hostingCseId: string;
  /** Address of the node's <node> resource, e.g. '/id-in/cse-in/node-mn1'. */
  node: string;
  credential: CertificateCredential;
  agent: SwitchableAgent;
  /** Poll period (ms); default 10000. */
  pollMs?: number;
  /** Host name -> address to connect to (EST and trust anchor servers; tests and split DNS). */
  resolve?: Readonly<Record<string, string>>;
  /** Stores a new credential so that a restart keeps it (0600 files, the SE, ...). */
  persist?: (c: CertificateCredential) => Promise<void> | void;
  log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
  timeoutMs?: number;
}

export interface Applied {
  ri: string;
  root: Root;
  status: typeof APPLY_APPLIED | typeof APPLY_FAILED;
  result: string;
  fingerprint?: string;
}

class Failure extends Error {}

const timestamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').slice(0, 15);

export class DeviceSecurityConfig {
  #credential: CertificateCredential;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<Applied[]> | undefined;
  #n = 0;

  constructor(private readonly o: DeviceConfigOptions) {
    this.#credential = o.credential;
  }

  /** The agent the node's requests to its registrar ride (give it to createMnCse's registrar.httpsAgent). */
  get agent(): SwitchableAgent {
    return this.o.agent;
  }

  get credential(): CertificateCredential {
    return this.#credential;
  }

  start(): void {
    const tick = () => {
      this.#timer = setTimeout(() => {
        void this.poll()
          .catch((e) =>
            this.o.log?.('warn', 'remote security configuration poll failed', { error: (e as Error).message }),
          )
          .finally(() => {
            if (this.#timer) tick();
          });
      }, this.o.pollMs ?? 10_000);
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One round: read the <node>, apply what is pending, report. One round at a time. */
  poll(): Promise<Applied[]> {
    if (!this.#running) this.#running = this.#round().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #send(req: Omit<RequestPrimitive, 'rqi' | 'rvi' | 'fr'>): Promise<ResponsePrimitive> {
    return this.o.sender.send(
      this.o.poa,
      { ...req, fr: this.o.originator, rqi: `dcfg-${process.pid}-${++this.#n}`, rvi: '3' } as RequestPrimitive,
      { timeoutMs: this.o.timeoutMs ?? 10_000 },
    );
  }

  async #round(): Promise<Applied[]> {
    const r = await this.#send({ op: 2, to: this.o.node, rcn: 4 } as RequestPrimitive);
    if (r.rsc !== 2000) throw new Error(`RETRIEVE of the <node> answered ${r.rsc}: ${String(r.dbg ?? '')}`);
    const node = (r.pc as Record<string, Record<string, unknown>>)['m2m:nod'] ?? {};
    const all = new Map<Root, Mo[]>(ORDER.map((root) => [root, (node[root] as Mo[] | undefined) ?? []]));
    const done: Applied[] = [];
    for (const root of ORDER) {
      for (const mo of all.get(root)!) {
        if (mo.apst !== APPLY_PENDING) continue;
        const applied = await this.#apply(root, mo, all).then(
          (a): Applied => ({ ri: mo.ri, root, status: APPLY_APPLIED, ...a }),
          (e): Applied => ({ ri: mo.ri, root, status: APPLY_FAILED, result: (e as Error).message }),
        );
        this.o.log?.(applied.status === APPLY_APPLIED ? 'info' : 'warn', 'remote security configuration', {
          mgmtObj: mo.ri,
          root,
          result: applied.result,
        });
        await this.#report(applied);
        done.push(applied);
      }
    }
    return done;
  }

  async #report(a: Applied): Promise<void> {
    const pc = {
      [a.root]: {
        apst: a.status,
        aprs: a.result.slice(0, 1000),
        ...(a.fingerprint ? { apfp: a.fingerprint } : {}),
        aptm: timestamp(new Date()),
      },
    };
    const r = await this.#send({ op: 3, to: `${this.o.hostingCseId}/${a.ri}`, pc } as RequestPrimitive);
    if (r.rsc !== 2004) this.o.log?.('warn', 'could not report on the <mgmtObj>', { mgmtObj: a.ri, rsc: r.rsc });
  }

  /** Switches to `next`, proves the new association with a RETRIEVE over it, keeps it or goes back. */
  async #switch(next: CertificateCredential): Promise<void> {
    const previous = this.#credential;
    this.o.agent.switchTo(frameworkOf(next));
    const check = await this.#send({ op: 2, to: this.o.node }).catch((e: Error) => ({ rsc: 0, error: e.message }));
    if (check.rsc !== 2000) {
      this.o.agent.switchTo(frameworkOf(previous));
      const why = 'error' in check ? check.error : `answer ${check.rsc}`;
      throw new Failure(`the registrar did not accept the new credential (${why}); the previous one is kept`);
    }
    this.#credential = next;
    await this.o.persist?.(next);
  }

  #connect(url: string): string | undefined {
    return this.o.resolve?.[new URL(url).hostname];
  }

  async #apply(root: Root, mo: Mo, all: Map<Root, Mo[]>): Promise<{ result: string; fingerprint?: string }> {
    switch (root) {
      case 'm2m:tac':
        return this.#trustAnchor(mo);
      case 'm2m:mefcr': {
        const url = estUrl(mo);
        const cas = await fetchCaCertificates({
          baseUrl: url,
          tls: { ca: [...this.#credential.trustAnchors], ...lookupFor(this.#connect(url)) },
        });
        return {
          result: `EST server ${url} reachable (${cas.length} CA certificate(s)); used for certificate enrolment`,
        };
      }
      case 'm2m:mafcr':
        throw new Failure(
          'MAF Client Registration (TS-0003 8.8.2.3) from a MAFClientRegCfg is not implemented by this node',
        );
      case 'm2m:mcfc':
        return this.#myCertificate(mo, all);
      case 'm2m:aupf':
        return this.#profile(mo, all);
    }
  }

  async #trustAnchor(mo: Mo): Promise<{ result: string; fingerprint: string }> {
    const c = this.#credential;
    const ta = await obtainTrustAnchor(mo.cfp as string, mo.turi as string, c.trustAnchors, {
      ca: c.trustAnchors,
      ...(this.#connect(mo.turi as string) ? { connectAddress: this.#connect(mo.turi as string)! } : {}),
    });
    if (ta.fetched) await this.#switch({ ...c, trustAnchors: [...c.trustAnchors, ta.pem] });
    return {
      result: ta.fetched ? `trust anchor fetched from ${String(mo.turi)} and installed` : 'trust anchor already held',
      fingerprint: mo.cfp as string,
    };
  }

  async #myCertificate(mo: Mo, all: Map<Root, Mo[]>): Promise<{ result: string; fingerprint: string }> {
    const c = this.#credential;
    const old = leafOf(c);
    if (typeof mo.mcfct === 'string') {
      const leaf = pemBlocks(mo.mcfct)[0]!;
      if (!keyMatches(leaf, c.key)) {
        throw new Failure("myCertFileContent is not a certificate for this node's private key (keys never travel)");
      }
      await this.#switch({ ...c, chain: mo.mcfct });
      return { result: 'certificate installed; association switched', fingerprint: certificateFingerprint(leaf) };
    }
    const mef = all.get('m2m:mefcr')!.find((m) => m.ri === mo.mecr);
    if (!mef) throw new Failure(`MEFClientRegCfg '${String(mo.mecr)}' is not among the node's <mgmtObj>s`);
    const url = estUrl(mef);
    const connectAddress = this.#connect(url);
    const enrolled = await enrolNewCertificate(c, {
      baseUrl: url,
      ca: c.trustAnchors,
      ...(connectAddress ? { connectAddress } : {}),
    });
    await this.#switch({ ...c, chain: enrolled.chain, key: enrolled.key });
    return {
      result:
        `enrolled at ${url}: serial ${enrolled.certificate.serialNumber}, valid to ${enrolled.certificate.validTo}; ` +
        `association switched; superseded certificate serial ${old.serialNumber} (revoke it at its CA)`,
      fingerprint: certificateFingerprint(enrolled.certificate.toString()),
    };
  }

  async #profile(mo: Mo, all: Map<Root, Mo[]>): Promise<{ result: string; fingerprint: string }> {
    const suid = mo.suid as number;
    if (suid < 41) {
      throw new Failure(
        `SUID ${suid}: symmetric-key profiles are not applied by this node (certificate SUIDs 41-43 only)`,
      );
    }
    const mine = certificateFingerprint(leafOf(this.#credential).toString());
    if (mo.mcfp !== mine) {
      throw new Failure(`this node holds no certificate with fingerprint ${String(mo.mcfp)} (it uses ${mine})`);
    }
    const held = new Set(this.#credential.trustAnchors.map(certificateFingerprint));
    for (const id of (mo.tacs as string[] | undefined) ?? []) {
      const tac = all.get('m2m:tac')!.find((t) => t.ri === id);
      if (!tac || !held.has(tac.cfp as string)) throw new Failure(`trust anchor ${id} is not installed on this node`);
    }
    return { result: 'profile in use: certificate and trust anchors match', fingerprint: mine };
  }
}

function estUrl(mef: Record<string, unknown>): string {
  return `https://${String(mef.fqdn)}:${Number(mef.hpt ?? 443)}/.well-known/est`;
}

function lookupFor(address: string | undefined) {
  return address
    ? {
        lookup: ((_h: string, _o: unknown, cb: (e: null, a: Array<{ address: string; family: number }>) => void) =>
          cb(null, [{ address, family: 4 }])) as never,
      }
    : {};
}
