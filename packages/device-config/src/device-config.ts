// The device side of remote security configuration (TS-0003 8.3.8 / 8.3.9.9, docs/remote-security-config.md):
// the node polls its <node> at the IN-CSE, applies every security <mgmtObj> the CSE marks pending
// (applyStatus 1) in dependency order (trust anchors, MEF / MAF configuration, certificate, profile),
// switches its association without a restart, checks the new association with a request over it (and
// goes back to the old credential if that fails), and reports the result on the <mgmtObj>.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { revokeWithFullCmc } from '@m2msec/est';
import type { MafClient } from '@m2msec/maf';
import type { RequestPrimitive, RequestSender, ResponsePrimitive } from '@m2msec/protocol';
import type { SaefClientFramework } from '@m2msec/saef';
import {
  type ClientRegCfg,
  type ClientRegistered,
  type HandshakeCredential,
  registerAtMaf,
  registerAtMef,
} from './client-registration.js';
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
  /**
   * Symmetric keys already provisioned on the node (a Kpm at a MEF, a Km at a MAF, a pre-provisioned
   * SAEF key), by the ID an authenticationProfile names in symmKeyID. A key never comes from a <mgmtObj>.
   */
  symmetricKeys?: (id: string) => Uint8Array | undefined;
  /** Absolute CSE-ID of the registrar (//SP/CSE-ID): the target of a key the node registers at a MAF (SUID 31-33). */
  registrarId?: string;
  /** Lifetime asked for a MAF / MEF Client Registration when the <mgmtObj> has no expirationTime; default 1 day. */
  registrationSeconds?: number;
}

export interface Applied {
  ri: string;
  root: Root;
  /** The configVersion (cfgv) applied: the report names it, and the CSE refuses it once superseded. */
  version: number;
  status: typeof APPLY_APPLIED | typeof APPLY_FAILED;
  result: string;
  fingerprint?: string;
}

class Failure extends Error {}

/**
 * What started a round: the poll timer, a notification of a <subscription>, a caller, a refused report,
 * the program's start (watchConfiguration: what changed while it was down, and the <mgmtObj> subscriptions).
 */
export type Trigger = 'timer' | 'notification' | 'manual' | 'superseded' | 'start';

/** Notification event types (TS-0004 Table 6.3.4.2.7-1 / m2m:notificationEventType). */
const NET_UPDATE = 1;
const NET_CREATE_CHILD = 3;
const SUBSCRIPTION_RN = 'dcfg-push';

const timestamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').slice(0, 15);

export class DeviceSecurityConfig {
  #credential: CertificateCredential;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<Applied[]> | undefined;
  #n = 0;
  /** MAF / MEF Client Registrations made, by the resource ID of their MAFClientRegCfg / MEFClientRegCfg. */
  readonly #registrations = new Map<
    string,
    ClientRegistered & { client?: MafClient; adminFqdn: string; cfgv: number }
  >();
  #superseded = 0;
  #again: Trigger | undefined;
  #listener: Server | undefined;
  #notificationUrl: string | undefined;
  /** Resources (the <node>, its security <mgmtObj>s) the node holds its <subscription> on. */
  readonly #subscribed = new Set<string>();
  /** Whether the node holds its <subscription> on its <node> (push works), once listenForNotifications ran. */
  get subscribed(): boolean {
    return this.#subscribed.has(this.o.node);
  }

  /** Rounds run, by what started them. */
  readonly rounds: Record<Trigger, number> = { timer: 0, notification: 0, manual: 0, superseded: 0, start: 0 };
  /** Notifications received (verification requests excluded). */
  notifications = 0;

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

  /** The MAF / MEF Client Registrations the node made, by <mgmtObj> resource ID. */
  get registrations(): ReadonlyMap<string, ClientRegistered> {
    return this.#registrations;
  }

  /** How many reports the CSE refused because a newer configuration had been written meanwhile. */
  get superseded(): number {
    return this.#superseded;
  }

  /**
   * Polls every `periodMs` (default `pollMs`): the channel alone, or the fallback beside push with a
   * longer period (a notification lost on the way is then picked up at the next poll).
   */
  start(periodMs: number = this.o.pollMs ?? 10_000): void {
    const tick = () => {
      this.#timer = setTimeout(() => {
        void this.poll('timer')
          .catch((e) =>
            this.o.log?.('warn', 'remote security configuration poll failed', { error: (e as Error).message }),
          )
          .finally(() => {
            if (this.#timer) tick();
          });
      }, periodMs);
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#listener?.close();
    this.#listener?.closeAllConnections();
    this.#listener = undefined;
  }

  /**
   * One round: read the <node>, apply what is pending, report. One round at a time; a trigger that comes
   * while a round runs starts one more round after it (the change may have been written after the read).
   */
  poll(trigger: Trigger = 'manual'): Promise<Applied[]> {
    if (this.#running) {
      this.#again ??= trigger;
      return this.#running;
    }
    this.rounds[trigger]++;
    this.#running = this.#round(trigger).finally(() => {
      this.#running = undefined;
      const again = this.#again;
      this.#again = undefined;
      if (again)
        void this.poll(again).catch((e) =>
          this.o.log?.('warn', 'remote security configuration round failed', { error: (e as Error).message }),
        );
    });
    return this.#running;
  }

  /**
   * Push (docs/remote-security-config.md): listens for notifications on the node's own endpoint
   * (http://host:port/, loopback by default) and subscribes to its <node> (a new <mgmtObj>) and to each
   * security <mgmtObj> (an UPDATE). A notification only starts a round: what is applied is read over the
   * node's association, never taken from the notification, so a forged one changes nothing. Polling
   * (start()) stays the fallback. Returns the notification URL.
   */
  async listenForNotifications(o: { host?: string; port?: number } = {}): Promise<string> {
    const server = createServer((req, res) => this.#onNotification(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
    });
    this.#listener = server;
    const a = server.address() as AddressInfo;
    this.#notificationUrl = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/`;
    await this.#subscribe(this.o.node, [NET_CREATE_CHILD]);
    return this.#notificationUrl;
  }

  #onNotification(req: IncomingMessage, res: ServerResponse): void {
    const answer = (rsc: number, status = 200) => {
      res.writeHead(status, {
        'X-M2M-RSC': String(rsc),
        'X-M2M-RI': String(req.headers['x-m2m-ri'] ?? '').slice(0, 128),
        'Content-Length': '0',
      });
      res.end();
    };
    if (req.method !== 'POST') {
      answer(4005, 405);
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let sgn: Record<string, unknown> | undefined;
      try {
        sgn = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, Record<string, unknown>>)[
          'm2m:sgn'
        ];
      } catch {
        sgn = undefined;
      }
      if (!sgn || typeof sgn !== 'object') {
        answer(4000, 400);
        return;
      }
      // Verification request (TS-0004 7.5.1.2.x): the CSE checks that this endpoint wants the notifications.
      if (sgn.vrq === true) {
        answer(2000);
        return;
      }
      this.notifications++;
      answer(2000);
      void this.poll('notification').catch((e) =>
        this.o.log?.('warn', 'remote security configuration round failed', { error: (e as Error).message }),
      );
    });
  }

  /** A <subscription> of this node on `target` (kept once made: its own rn, 4105 means it exists). */
  async #subscribe(target: string, net: number[]): Promise<void> {
    if (!this.#notificationUrl || this.#subscribed.has(target)) return;
    const r = await this.#send({
      op: 1,
      to: target,
      ty: 23,
      pc: { 'm2m:sub': { rn: SUBSCRIPTION_RN, nu: [this.#notificationUrl], enc: { net }, nct: 1 } },
    } as unknown as RequestPrimitive);
    if (r.rsc === 2001 || r.rsc === 4105) this.#subscribed.add(target);
    else this.o.log?.('warn', 'could not subscribe; polling covers it', { target, rsc: r.rsc, dbg: r.dbg });
  }

  async #send(req: Omit<RequestPrimitive, 'rqi' | 'rvi' | 'fr'>): Promise<ResponsePrimitive> {
    return this.o.sender.send(
      this.o.poa,
      { ...req, fr: this.o.originator, rqi: `dcfg-${process.pid}-${++this.#n}`, rvi: '3' } as RequestPrimitive,
      { timeoutMs: this.o.timeoutMs ?? 10_000 },
    );
  }

  async #round(trigger: Trigger): Promise<Applied[]> {
    const r = await this.#send({ op: 2, to: this.o.node, rcn: 4 } as RequestPrimitive);
    if (r.rsc !== 2000) throw new Error(`RETRIEVE of the <node> answered ${r.rsc}: ${String(r.dbg ?? '')}`);
    const node = (r.pc as Record<string, Record<string, unknown>>)['m2m:nod'] ?? {};
    const all = new Map<Root, Mo[]>(ORDER.map((root) => [root, (node[root] as Mo[] | undefined) ?? []]));
    // Push: an UPDATE of each security <mgmtObj> notifies the node.
    for (const mos of all.values())
      for (const mo of mos) await this.#subscribe(`${this.o.hostingCseId}/${mo.ri}`, [NET_UPDATE]);
    const done: Applied[] = [];
    for (const root of ORDER) {
      for (const mo of all.get(root)!) {
        if (mo.apst !== APPLY_PENDING) continue;
        const version = typeof mo.cfgv === 'number' ? mo.cfgv : 1;
        const applied = await this.#apply(root, mo, all).then(
          (a): Applied => ({ ri: mo.ri, root, version, status: APPLY_APPLIED, ...a }),
          (e): Applied => ({ ri: mo.ri, root, version, status: APPLY_FAILED, result: (e as Error).message }),
        );
        this.o.log?.(applied.status === APPLY_APPLIED ? 'info' : 'warn', 'remote security configuration', {
          mgmtObj: mo.ri,
          root,
          trigger,
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
        cfgv: a.version,
        apst: a.status,
        aprs: a.result.slice(0, 1000),
        ...(a.fingerprint ? { apfp: a.fingerprint } : {}),
        aptm: timestamp(new Date()),
      },
    };
    const r = await this.#send({ op: 3, to: `${this.o.hostingCseId}/${a.ri}`, pc } as RequestPrimitive);
    if (r.rsc === 4105) {
      // A newer configuration was written while this one was applied: it is pending, the next round applies it.
      this.#superseded++;
      this.#again ??= 'superseded';
      this.o.log?.('info', 'report superseded by a newer configuration', { mgmtObj: a.ri, version: a.version });
    } else if (r.rsc !== 2004) {
      this.o.log?.('warn', 'could not report on the <mgmtObj>', { mgmtObj: a.ri, rsc: r.rsc });
    }
  }

  /** Switches to `next`, proves the new association with a RETRIEVE over it, keeps it or goes back. */
  async #switch(next: CertificateCredential): Promise<void> {
    await this.#switchFramework(frameworkOf(next));
    this.#credential = next;
    await this.o.persist?.(next);
  }

  async #switchFramework(next: SaefClientFramework): Promise<void> {
    const previous = this.o.agent.framework;
    this.o.agent.switchTo(next);
    const check = await this.#send({ op: 2, to: this.o.node }).catch((e: Error) => ({ rsc: 0, error: e.message }));
    if (check.rsc !== 2000) {
      this.o.agent.switchTo(previous);
      const why = 'error' in check ? check.error : `answer ${check.rsc}`;
      throw new Failure(`the registrar did not accept the new credential (${why}); the previous one is kept`);
    }
  }

  #connect(url: string): string | undefined {
    return this.o.resolve?.[new URL(url).hostname];
  }

  async #apply(root: Root, mo: Mo, all: Map<Root, Mo[]>): Promise<{ result: string; fingerprint?: string }> {
    switch (root) {
      case 'm2m:tac':
        return this.#trustAnchor(mo);
      case 'm2m:mefcr':
      case 'm2m:mafcr':
        return this.#clientRegistration(root, mo, all);
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
    const next = { ...c, chain: enrolled.chain, key: enrolled.key };
    await this.#switch(next);
    const superseded = await this.#revokeSuperseded(enrolled.renewal, old, next, url, connectAddress);
    return {
      result:
        `enrolled at ${url}: serial ${enrolled.certificate.serialNumber}, valid to ${enrolled.certificate.validTo}; ` +
        `association switched; ${superseded}`,
      fingerprint: certificateFingerprint(enrolled.certificate.toString()),
    };
  }

  /**
   * Self-revocation of the superseded certificate: once the new association works, the node asks the MEF
   * to revoke the old certificate (EST fullcmc revokeRequest, RFC 5272 6.11) over a TLS session of the
   * new certificate, signed by it. Only a certificate of the MEF's own CA can be revoked there; one of
   * another CA (the manufacturer's) is named for its CA to revoke.
   */
  async #revokeSuperseded(
    renewal: boolean,
    old: import('node:crypto').X509Certificate,
    next: CertificateCredential,
    url: string,
    connectAddress: string | undefined,
  ): Promise<string> {
    if (!renewal) return `superseded certificate serial ${old.serialNumber} (revoke it at its CA)`;
    const lookup = connectAddress
      ? (_h: string, _o: unknown, cb: (e: null, a: Array<{ address: string; family: number }>) => void) =>
          cb(null, [{ address: connectAddress, family: 4 }])
      : undefined;
    try {
      const r = await revokeWithFullCmc(
        {
          baseUrl: url,
          tls: {
            cert: next.chain,
            key: next.key,
            ca: [...next.trustAnchors],
            ...(lookup ? { lookup: lookup as never } : {}),
          },
          timeoutMs: this.o.timeoutMs ?? 30_000,
        },
        { certificate: old.toString(), reason: 'superseded' },
        { certificate: pemBlocks(next.chain)[0]!, key: next.key },
      );
      if (r.status === 0) return `superseded certificate serial ${old.serialNumber} revoked at the MEF (fullcmc)`;
      return (
        `superseded certificate serial ${old.serialNumber} NOT revoked: the MEF answered CMC status ${r.status}` +
        `${r.statusString ? ` (${r.statusString})` : ''}; revoke it at the MEF`
      );
    } catch (e) {
      return `superseded certificate serial ${old.serialNumber} NOT revoked: ${(e as Error).message}; revoke it at the MEF`;
    }
  }

  /**
   * The credential of the MAF / MEF Handshake: a symmetric key provisioned on the node when an
   * authenticationProfile linking this configuration names one (symmKeyID), the node's certificate otherwise.
   */
  #handshakeCredential(root: 'm2m:mefcr' | 'm2m:mafcr', mo: Mo, all: Map<Root, Mo[]>): HandshakeCredential {
    const link = root === 'm2m:mefcr' ? 'mecr' : 'macr';
    const profile = all.get('m2m:aupf')!.find((p) => p[link] === mo.ri && typeof p.skid === 'string');
    if (!profile) return { kind: 'certificate', credential: this.#credential };
    const id = profile.skid as string;
    const key = this.o.symmetricKeys?.(id);
    if (!key) {
      throw new Failure(
        `symmKeyID '${id}' (authenticationProfile ${profile.ri}) is not provisioned on this node; ` +
          'a key never travels in a <mgmtObj>',
      );
    }
    return { kind: 'psk', identity: id, key };
  }

  #regCfg(mo: Mo): ClientRegCfg {
    const et = typeof mo.et === 'string' ? parseTimestamp(mo.et) : undefined;
    const lifetime = (this.o.registrationSeconds ?? 86_400) * 1000;
    const expirationTime = new Date(Math.min(et?.getTime() ?? Number.POSITIVE_INFINITY, Date.now() + lifetime));
    const connectAddress = this.o.resolve?.[String(mo.fqdn)];
    return {
      fqdn: String(mo.fqdn),
      adminFqdn: String(mo.adfq),
      ...(typeof mo.hpt === 'number' ? { httpPort: mo.hpt } : {}),
      ...(connectAddress ? { connectAddress } : {}),
      expirationTime,
      ...(Array.isArray(mo.lbl) ? { labels: mo.lbl as string[] } : {}),
      timeoutMs: this.o.timeoutMs ?? 15_000,
    };
  }

  /** MEF Client Registration (8.3.5.2.3) / MAF Client Registration (8.8.2.3) as the <mgmtObj> configures it. */
  async #clientRegistration(
    root: 'm2m:mefcr' | 'm2m:mafcr',
    mo: Mo,
    all: Map<Root, Mo[]>,
  ): Promise<{ result: string }> {
    const handshake = this.#handshakeCredential(root, mo, all);
    const cfg = this.#regCfg(mo);
    const reg = root === 'm2m:mafcr' ? await registerAtMaf(cfg, handshake) : await registerAtMef(cfg, handshake);
    this.#registrations.set(mo.ri, {
      ...reg,
      adminFqdn: cfg.adminFqdn,
      cfgv: typeof mo.cfgv === 'number' ? mo.cfgv : 1,
    });
    const clause = reg.function === 'MAF' ? '8.8.2.3' : '8.3.5.2.3';
    const by = handshake.kind === 'psk' ? `the provisioned key '${handshake.identity}'` : "the node's certificate";
    return {
      result:
        `${reg.function} Client Registration (TS-0003 ${clause}) at ${reg.url} with ${by}: ` +
        `registration ${reg.regId}, client ${reg.clientId}, until ${reg.expirationTime}`,
    };
  }

  async #profile(mo: Mo, all: Map<Root, Mo[]>): Promise<{ result: string; fingerprint?: string }> {
    const suid = mo.suid as number;
    const held = new Set(this.#credential.trustAnchors.map(certificateFingerprint));
    for (const id of (mo.tacs as string[] | undefined) ?? []) {
      const tac = all.get('m2m:tac')!.find((t) => t.ri === id);
      if (!tac || !held.has(tac.cfp as string)) throw new Failure(`trust anchor ${id} is not installed on this node`);
    }
    const servername = this.#credential.servername;
    // SUIDs (TS-0004 m2m:suid): 1x pre-provisioned key, 2x RSPF-provisioned, 3x MAF-distributed, 4x
    // certificate; x2 is the security association (SAEF), x1 the MAF, x3 ESPrim.
    if (suid === 12) {
      // Pre-provisioned symmetric key SAEF (TS-0003 8.2.2.2): the key named by symmKeyID must be on the node.
      const id = mo.skid as string;
      const key = this.o.symmetricKeys?.(id);
      if (!key) {
        throw new Failure(
          `SUID ${suid}: symmKeyID '${id}' is not provisioned on this node; a key never travels in a <mgmtObj>`,
        );
      }
      await this.#switchFramework({ kind: 'psk', identity: id, key, servername });
      return { result: `SUID ${suid}: association switched to the provisioned symmetric key '${id}'` };
    }
    if (suid === 32) return this.#mafProfile(mo, suid, servername);
    if (suid === 11 || suid === 13) return this.#heldKeyProfile(mo, suid);
    if (suid < 41) throw new Failure(notApplied(suid));
    const mine = certificateFingerprint(leafOf(this.#credential).toString());
    if (mo.mcfp !== mine) {
      throw new Failure(`this node holds no certificate with fingerprint ${String(mo.mcfp)} (it uses ${mine})`);
    }
    if (this.o.agent.framework.kind !== 'certificate') await this.#switch(this.#credential);
    return { result: 'profile in use: certificate and trust anchors match', fingerprint: mine };
  }

  /**
   * SUIDs 11 and 13 (TS-0003 8.3.9.9.3): the profile is applied when the node holds a local copy of the
   * pre-provisioned key named by symmKeyID; nothing is switched. 11 is the key of the MAF Handshake
   * (used by the MAFClientRegCfg the profile links, step 3 of the round); 13 an ESPrim key, used by the
   * node's end-to-end security when it sends to a Target that shares it.
   */
  #heldKeyProfile(mo: Mo, suid: 11 | 13): { result: string } {
    const id = mo.skid as string;
    if (!this.o.symmetricKeys?.(id)) {
      throw new Failure(
        `SUID ${suid}: symmKeyID '${id}' is not provisioned on this node (TS-0003 8.3.9.9.3: no local copy); ` +
          'a key never travels in a <mgmtObj>',
      );
    }
    const use =
      suid === 11
        ? `for MAF Handshakes${typeof mo.macr === 'string' ? ` with the MAF of MAFClientRegCfg '${mo.macr}'` : ''}`
        : 'for ESPrim';
    return { result: `SUID ${suid}: the pre-provisioned key '${id}' is held on this node (TS-0003 8.3.9.9.3), ${use}` };
  }

  /** MAF-based SAEF (TS-0003 8.2.2.3): Key Registration (8.8.2.7) for the registrar, then the association on Kc. */
  async #mafProfile(mo: Mo, suid: number, servername: string): Promise<{ result: string }> {
    const reg = this.#registrations.get(String(mo.macr));
    if (!reg?.client) {
      throw new Failure(
        `SUID ${suid}: the node holds no MAF Client Registration for MAFClientRegCfg '${String(mo.macr)}' (see its applyResult)`,
      );
    }
    if (!this.o.registrarId) throw new Failure(`SUID ${suid}: the node was not given its registrar's absolute CSE-ID`);
    const answer = await reg.client
      .registerKey({
        adminFQDN: reg.adminFqdn,
        expirationTime: new Date(Date.now() + Number(mo.krd) * 1000),
        suid,
        targetIDs: [this.o.registrarId],
        ...(Array.isArray(mo.krl) ? { labels: mo.krl as string[] } : {}),
      })
      .catch((e: Error) => {
        throw new Failure(`SUID ${suid}: MAF Key Registration (TS-0003 8.8.2.7) failed: ${e.message}`);
      });
    if (!answer.connectionKey) throw new Failure(`SUID ${suid}: the MAF session gave no connection key`);
    const { kc } = answer.connectionKey;
    try {
      await this.#switchFramework({ kind: 'maf', keyIdentifier: answer.keyIdentifier, kc, servername });
    } finally {
      if (this.o.agent.framework.kind !== 'maf') kc.fill(0);
    }
    return {
      result: `SUID ${suid}: key ${answer.keyIdentifier} registered at the MAF for ${this.o.registrarId}; association switched to it`,
    };
  }
}

/**
 * Why the node refuses a SUID it does not apply (docs/remote-security-config.md, "SUIDs"): the report
 * names the SUID, what it would take, and what the node does instead.
 */
function notApplied(suid: number): string {
  if (suid >= 21 && suid <= 23) {
    return (
      `SUID ${suid}: not applied by this node: an RSPF-provisioned key needs MEF Key Registration ` +
      '(TS-0003 8.3.9.9.4, 8.3.5.2.7) with the key taken from the MEF Handshake session, which this node does ' +
      'not run (it registers at the MEF and enrols certificates there: use SUID 42 with a myCertFileCred ' +
      'linking the MEFClientRegCfg)'
    );
  }
  if (suid === 31) {
    return (
      'SUID 31: not applied: TS-0004 Table 6.3.4.2.39-1 defines no SUID 31 (a MAF-distributed key is for a ' +
      'SAEF, ESPrim or ESData, 32-35, never the key shared with the MAF itself, 11 / 21 / 41)'
    );
  }
  if (suid === 33) {
    return (
      'SUID 33: not applied by this node: a MAF-distributed ESPrim key is registered for a Target CSE that ' +
      "a [dataCollection] parent names (TS-0003 8.3.9.9.5), and this node's <mgmtObj>s have no such parent; " +
      'the AE program registers its SUID 33 keys itself (endToEnd.esprim.maf, docs/end-to-end-security.md)'
    );
  }
  return `SUID ${suid}: not applied by this node (it applies SUIDs 11, 12, 13, 32 and 41-43)`;
}

function estUrl(mef: Record<string, unknown>): string {
  return `https://${String(mef.fqdn)}:${Number(mef.hpt ?? 443)}/.well-known/est`;
}

/** oneM2M timestamp (YYYYMMDDTHHMMSS[,ffffff]) as a Date, UTC. */
function parseTimestamp(t: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/.exec(t);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}
