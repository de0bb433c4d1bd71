// CSE registration (TS-0001 10.2.2.6 / 10.2.2.7): CREATE <remoteCSE> at the registrar over the
// association, or UPDATE its pointOfAccess when the registrar already knows this CSE (4117); then
// RETRIEVE the registrar's <CSEBase> (step 005) and keep its <remoteCSE> locally (step 004 / 008).
import { type RequestPrimitive, type RequestSender, ResponseStatusCode } from '@m2msec/protocol';
import type { Cse } from '../cse.js';
import type { Logger } from '../logger.js';

/** The registrar CSE as registration needs it (the association towards it is the sender's). */
export interface RegistrarTarget {
  /** SP-relative CSE-ID of the registrar, e.g. '/id-in'. */
  cseId: string;
  /** resourceName of its <CSEBase>, e.g. 'cse-in'. */
  cseBaseName: string;
  /** Base URL of the registrar's listener for this association. */
  url: string;
  /** Delay between registration attempts while the registrar is unreachable (ms); default 2000. */
  retryMs?: number;
  /** How often the registration is checked once done (ms; 0 disables); default 30000. */
  refreshMs?: number;
}

export type RegistrationState = 'unregistered' | 'registering' | 'registered' | 'stopped';

export interface RegistrationStatus {
  state: RegistrationState;
  /** The last failure, as a status code and message the operator can act on. */
  lastError?: string;
  attempts: number;
}

interface Self {
  cseId: string;
  cseBaseName: string;
  poa: string[];
  srv: string[];
}

let counter = 0;

export class Registration {
  readonly status: RegistrationStatus = { state: 'unregistered', attempts: 0 };
  private timer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly cse: Cse,
    private readonly self: Self,
    private readonly registrar: RegistrarTarget,
    private readonly sender: RequestSender,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {}

  /** Starts registering in the background; retries until it succeeds or stop(). */
  start(): void {
    this.stopped = false;
    void this.attempt();
  }

  /** Resolves once registered (or rejects after `timeoutMs`). */
  whenRegistered(timeoutMs = 60_000): Promise<void> {
    if (this.status.state === 'registered') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () =>
          reject(
            new Error(
              `not registered to ${this.registrar.cseId} after ${timeoutMs} ms: ${this.status.lastError ?? 'pending'}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  stop(): void {
    this.stopped = true;
    this.status.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt(), ms);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const wasRegistered = this.status.state === 'registered';
    if (!wasRegistered) this.status.state = 'registering';
    this.status.attempts++;
    try {
      if (wasRegistered) await this.check();
      else await this.register();
      if (this.stopped) return;
      if (!wasRegistered) this.log.info({ registrar: this.registrar.cseId }, 'registered to the registrar CSE');
      this.status.state = 'registered';
      delete this.status.lastError;
      for (const w of this.waiters.splice(0)) w();
      const refresh = this.registrar.refreshMs ?? 30_000;
      if (refresh > 0) this.schedule(refresh);
    } catch (e) {
      if (this.stopped) return;
      this.status.lastError = (e as Error).message;
      if (wasRegistered && (e as { lost?: boolean }).lost) this.status.state = 'unregistered';
      this.log.warn(
        { registrar: this.registrar.cseId, attempt: this.status.attempts },
        `registration: ${this.status.lastError}`,
      );
      this.schedule(
        this.status.state === 'registered' ? (this.registrar.refreshMs ?? 30_000) : (this.registrar.retryMs ?? 2_000),
      );
    }
  }

  private send(req: Omit<RequestPrimitive, 'rqi' | 'rvi' | 'fr'>) {
    return this.sender.send(
      this.registrar.url,
      { ...req, fr: this.self.cseId, rqi: `reg-${process.pid}-${++counter}`, rvi: '3' },
      { timeoutMs: this.timeoutMs },
    );
  }

  private get registrarBase(): string {
    return `${this.registrar.cseId}/${this.registrar.cseBaseName}`;
  }

  private async register(): Promise<void> {
    const { cseId, cseBaseName, poa, srv } = this.self;
    // descendantCSEs: the CSEs registered below this one, so the registrar can route to them.
    const below = await this.cse.descendantCseIds();
    const dcse = below.length > 0 ? { dcse: below } : {};
    const created = await this.send({
      op: 1,
      to: this.registrarBase,
      ty: 16,
      pc: { 'm2m:csr': { csi: cseId, cb: `${cseId}/${cseBaseName}`, cst: 2, rr: true, poa, srv, ...dcse } },
    });
    if (created.rsc === ResponseStatusCode.ORIGINATOR_HAS_ALREADY_REGISTERED) {
      const updated = await this.send({
        op: 3,
        to: this.ownRemoteCse,
        pc: { 'm2m:csr': { poa, dcse: below.length > 0 ? below : null } },
      });
      if (updated.rsc !== ResponseStatusCode.UPDATED) throw failure('UPDATE of its <remoteCSE>', updated);
    } else if (created.rsc !== ResponseStatusCode.CREATED) {
      throw failure('CREATE <remoteCSE>', created);
    }
    // Step 005: the registrar's attributes; a registrar that does not grant RETRIEVE keeps defaults.
    const cb = await this.send({ op: 2, to: this.registrarBase });
    const attrs =
      cb.rsc === ResponseStatusCode.OK ? ((cb.pc as { 'm2m:cb'?: Record<string, unknown> })?.['m2m:cb'] ?? {}) : {};
    const cst = attrs.cst === 1 || attrs.cst === 2 || attrs.cst === 3 ? attrs.cst : 1;
    const rsrv = Array.isArray(attrs.srv)
      ? (attrs.srv as unknown[]).filter((v): v is string => typeof v === 'string')
      : ['3'];
    await this.cse.recordRegistrar({
      csi: this.registrar.cseId,
      cb: this.registrarBase,
      cst,
      poa: [this.registrar.url],
      srv: rsrv,
    });
  }

  private get ownRemoteCse(): string {
    return `${this.registrarBase}/${this.self.cseId.slice(1)}`;
  }

  /** The registrar still has our <remoteCSE>; 4004 means it was removed: register again. */
  private async check(): Promise<void> {
    const r = await this.send({ op: 2, to: this.ownRemoteCse });
    if (r.rsc === ResponseStatusCode.NOT_FOUND) {
      this.status.state = 'unregistered';
      await this.register();
      return;
    }
    if (r.rsc !== ResponseStatusCode.OK) throw failure('RETRIEVE of its <remoteCSE>', r);
  }
}

function failure(what: string, r: { rsc: number; dbg?: string; pc?: unknown }): Error {
  const dbg = r.dbg ?? (r.pc as { 'm2m:dbg'?: string } | undefined)?.['m2m:dbg'];
  return new Error(`${what} answered ${r.rsc}${dbg ? `: ${dbg}` : ''}`);
}
