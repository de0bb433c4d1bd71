// A reference AE (TS-0001 10.2.2.2 registration, 10.2.4 container / contentInstance, 10.2.10
// subscription): registers, creates its container (and the ACP that opens it to others), posts
// contentInstances, subscribes and collects notifications. Every step answers with the status code.
import { EventEmitter } from 'node:events';
import { Operation, type RequestPrimitive, type ResponsePrimitive, ResponseStatusCode } from '@m2msec/protocol';
import { AeEndToEnd } from './end-to-end.js';
import type { AeOptions } from './options.js';
import { openCoapTransport } from './transport/coap.js';
import { openHttpTransport } from './transport/http.js';
import { openMqttTransport } from './transport/mqtt.js';
import type { AeTransport } from './transport/types.js';

export class AeError extends Error {
  override readonly name = 'AeError';
  constructor(
    readonly step: string,
    readonly rsc: number,
    dbg?: string,
  ) {
    super(`${step} answered ${rsc}${dbg ? `: ${dbg}` : ''}`);
  }
}

let counter = 0;
const dbgOf = (r: ResponsePrimitive) => r.dbg ?? (r.pc as { 'm2m:dbg'?: string } | undefined)?.['m2m:dbg'];

export interface Notification {
  /** The m2m:sgn content. */
  sgn: Record<string, unknown>;
  from?: string;
}

export class ReferenceAe extends EventEmitter<{ notification: [Notification] }> {
  /** AE-ID-Stem once registered. */
  stem: string | undefined;
  readonly notifications: Notification[] = [];
  private transport: AeTransport | undefined;
  private readonly endToEnd: AeEndToEnd | undefined;

  constructor(readonly options: AeOptions) {
    super();
    this.endToEnd = options.endToEnd ? new AeEndToEnd(options.endToEnd) : undefined;
  }

  /** SP-relative AE-ID, e.g. '/id-mn/Cae1'. */
  get aeId(): string {
    if (!this.stem) throw new Error('AE is not registered');
    return this.stem.startsWith('S') ? `/${this.stem}` : `${this.options.registrar.cseId}/${this.stem}`;
  }

  /** CSE-relative address of the AE at its registrar. */
  get address(): string {
    return `${this.options.registrar.cseBaseName}/${this.stem}`;
  }

  /** Address contentInstances go to. */
  get dataPath(): string {
    if (this.options.postTo) return this.options.postTo;
    if (!this.options.container) throw new Error('no container configured and no postTo');
    return `${this.address}/${this.options.container.rn}`;
  }

  /** Connects, registers (reusing the registration when the CSE already has it), sets up resources. */
  async start(): Promise<void> {
    const o = this.options;
    const timeoutMs = o.requestTimeoutMs ?? 10_000;
    if (o.transport.kind === 'mqtt') {
      if (!o.stem) throw new TypeError('an MQTT AE needs its AE-ID-Stem (ClientId A::<AE-ID>, TS-0010 6.3.3)');
      this.transport = await openMqttTransport(o.transport, o.registrar, o.stem, 'm2msec.org', timeoutMs);
    } else if (o.transport.kind === 'coap') {
      this.transport = openCoapTransport(o.transport, timeoutMs);
    } else {
      this.transport = openHttpTransport(o.transport, o.registrar, timeoutMs);
    }
    await this.register();
    if (o.container) await this.createContainer();
    if (o.subscribe) await this.subscribe();
  }

  /** Sends one request with this AE as From. */
  request(
    req: Omit<RequestPrimitive, 'rqi' | 'fr' | 'rvi'> & { fr?: string; rqi?: string },
  ): Promise<ResponsePrimitive> {
    if (!this.transport) throw new Error('AE not started');
    if (this.stem && this.endToEnd?.protects(req.to)) {
      // ESPrim (TS-0003 7.2.2): the inner From is the identity the Target binds to the key, the AE-ID; to the
      // Registrar itself in the form every request to it takes, the AE-ID-Stem (TS-0004 7.3.2.1).
      const fr = this.endToEnd.targetIsRegistrar(this.options.registrar.cseId) ? this.stem : this.aeId;
      const inner = { rqi: `ae-${process.pid}-${++counter}`, rvi: '3', ...req, fr } as RequestPrimitive;
      return this.endToEnd.request(this.transport, this.stem, inner);
    }
    return this.transport.send({
      fr: this.stem,
      rqi: `ae-${process.pid}-${++counter}`,
      rvi: '3',
      ...req,
    } as RequestPrimitive);
  }

  /** With endToEnd.esdataTarget: the opened ESData con of a retrieved contentInstance (or why not). */
  async openContent(pc: unknown): Promise<Record<string, unknown>> {
    return (await this.endToEnd?.openContent(pc)) ?? {};
  }

  retrieve(to: string): Promise<ResponsePrimitive> {
    return this.request({ op: Operation.RETRIEVE, to });
  }

  /** CREATE <contentInstance> with `con` (a string, or JSON for anything else), ESData-protected if configured. */
  async post(con: unknown, to = this.dataPath): Promise<ResponsePrimitive> {
    const text = typeof con === 'string' ? con : JSON.stringify(con);
    const cin = this.endToEnd ? await this.endToEnd.content(text) : { cnf: 'application/json:0', con: text };
    return this.request({ op: Operation.CREATE, to, ty: 4, pc: { 'm2m:cin': cin } });
  }

  private async register(): Promise<void> {
    const o = this.options;
    const t = this.transport!;
    const notifyPoa: string[] = [];
    const req: RequestPrimitive = {
      op: Operation.CREATE,
      to: o.registrar.cseBaseName,
      fr: o.stem ?? 'C',
      rqi: `ae-${process.pid}-${++counter}`,
      rvi: '3',
      ty: 2,
      pc: { 'm2m:ae': { api: o.appId, rr: !!o.subscribe, srv: ['3'], ...(o.stem ? { rn: o.stem } : {}) } },
    };
    const rsp = await t.register(req);
    if (rsp.rsc === ResponseStatusCode.ORIGINATOR_HAS_ALREADY_REGISTERED && o.stem) {
      this.stem = o.stem; // a restart: the CSE kept the registration
    } else if (rsp.rsc === ResponseStatusCode.CREATED) {
      this.stem = (rsp.pc as { 'm2m:ae': { aei: string } })['m2m:ae'].aei;
    } else {
      throw new AeError('CREATE <AE>', rsp.rsc, dbgOf(rsp));
    }
    if (o.subscribe) {
      notifyPoa.push(...(await t.listen(this.stem, (r) => this.onRequest(r))));
      if (notifyPoa.length > 0) {
        const upd = await this.request({
          op: Operation.UPDATE,
          to: this.address,
          pc: { 'm2m:ae': { poa: notifyPoa } },
        });
        if (upd.rsc !== ResponseStatusCode.UPDATED) throw new AeError('UPDATE <AE> poa', upd.rsc, dbgOf(upd));
      }
    }
  }

  private async createContainer(): Promise<void> {
    const c = this.options.container!;
    let acpi: string[] | undefined;
    if (c.acp) {
      const rn = `${c.rn}-acp`;
      const acp = await this.request({
        op: Operation.CREATE,
        to: this.address,
        ty: 1,
        // The owner keeps full access beside the configured rules (acpi replaces the creator default).
        pc: {
          'm2m:acp': {
            rn,
            pv: { acr: [{ acor: [this.aeId], acop: 63 }, ...c.acp] },
            pvs: { acr: [{ acor: [this.aeId], acop: 63 }] },
          },
        },
      });
      if (acp.rsc !== ResponseStatusCode.CREATED && acp.rsc !== ResponseStatusCode.CONFLICT) {
        throw new AeError('CREATE <accessControlPolicy>', acp.rsc, dbgOf(acp));
      }
      acpi = [`${this.address}/${rn}`];
    }
    const cnt = await this.request({
      op: Operation.CREATE,
      to: this.address,
      ty: 3,
      pc: { 'm2m:cnt': { rn: c.rn, ...(acpi ? { acpi } : {}), ...(c.mni ? { mni: c.mni } : {}) } },
    });
    if (cnt.rsc !== ResponseStatusCode.CREATED && cnt.rsc !== ResponseStatusCode.CONFLICT) {
      throw new AeError('CREATE <container>', cnt.rsc, dbgOf(cnt));
    }
  }

  private async subscribe(): Promise<void> {
    const own = this.options.container ? `${this.address}/${this.options.container.rn}` : this.dataPath;
    const sub = await this.request({
      op: Operation.CREATE,
      to: own,
      ty: 23,
      // nu is the AE itself: the CSE reaches it through its poa and needs no verification (TS-0004 7.4.8.2.1).
      pc: { 'm2m:sub': { rn: 'ae-sub', nu: [this.aeId], enc: { net: [3] } } },
    });
    if (sub.rsc !== ResponseStatusCode.CREATED && sub.rsc !== ResponseStatusCode.CONFLICT) {
      throw new AeError('CREATE <subscription>', sub.rsc, dbgOf(sub));
    }
  }

  private async onRequest(req: RequestPrimitive): Promise<ResponsePrimitive> {
    if (req.op !== Operation.NOTIFY) {
      return { rsc: ResponseStatusCode.OPERATION_NOT_ALLOWED, rqi: req.rqi, dbg: 'this AE only takes NOTIFY' };
    }
    const sgn = (req.pc as { 'm2m:sgn'?: Record<string, unknown> } | undefined)?.['m2m:sgn'];
    if (!sgn) return { rsc: ResponseStatusCode.BAD_REQUEST, rqi: req.rqi, dbg: 'NOTIFY without m2m:sgn' };
    const n: Notification = { sgn, ...(req.fr ? { from: req.fr } : {}) };
    this.notifications.push(n);
    this.emit('notification', n);
    return { rsc: ResponseStatusCode.OK, rqi: req.rqi };
  }

  async close(): Promise<void> {
    await this.endToEnd?.close();
    await this.transport?.close();
    this.transport = undefined;
  }
}
