// The AE's end of end-to-end security (docs/end-to-end-security.md): which requests go as ESPrim Objects
// (TS-0003 8.4; the logic is @m2msec/esprim's ESPrimClient) and how `con` is protected with ESData
// (TS-0003 8.5, @m2msec/esdata). Wiring only.

import { establishE2EKey } from '@m2msec/escertke';
import { contentInfo, protectContent } from '@m2msec/esdata';
import { ESPrimClient, ESPrimOriginator } from '@m2msec/esprim';
import { M2MError, type RequestPrimitive, type ResponsePrimitive, ResponseStatusCode } from '@m2msec/protocol';
import { EscertkeKeystore } from './escertke-keystore.js';
import { MafESDataSource } from './esdata-maf.js';
import { EsdataTarget, type OpenedContent } from './esdata-target.js';
import { MafESPrimSource } from './esprim-maf.js';
import type { EndToEndOptions } from './options.js';
import type { AeTransport } from './transport/types.js';

export class AeEndToEnd {
  private client: Promise<ESPrimClient> | undefined;
  private readonly targetCseId: string | undefined;
  private readonly mafSource: MafESDataSource | undefined;
  private readonly keystore: EscertkeKeystore | undefined;
  private readonly target: EsdataTarget | undefined;
  private readonly mafEsprim: MafESPrimSource | undefined;
  /** When the MAF ESPrim key in use is due for a new registration (epoch ms). */
  private mafRenewAt = Number.POSITIVE_INFINITY;

  constructor(private readonly o: EndToEndOptions) {
    const base = o.esprim?.targetCseBase;
    if (base !== undefined && !/^\/[^/]+\/[^/]+$/.test(base))
      throw new TypeError(
        'endToEnd.esprim.targetCseBase must be the SP-relative <CSEBase> address, e.g. /id-in/cse-in',
      );
    this.targetCseId = base?.slice(0, base.indexOf('/', 1));
    this.mafSource = o.esdata?.maf ? new MafESDataSource(o.esdata.maf) : undefined;
    this.target = o.esdataTarget ? new EsdataTarget(o.esdataTarget) : undefined;
    const e = o.esprim;
    this.keystore = e && 'escertke' in e && e.escertke.keystore ? new EscertkeKeystore(e.escertke.keystore) : undefined;
    this.mafEsprim = e && 'maf' in e ? new MafESPrimSource(e.maf) : undefined;
  }

  /** As ESData Target: the opened con of a retrieved contentInstance, or why it was refused. */
  openContent(pc: unknown): Promise<OpenedContent | undefined> {
    return this.target ? this.target.open(pc) : Promise.resolve(undefined);
  }

  async close(): Promise<void> {
    await this.keystore?.close();
  }

  /** True when the ESPrim Target is the CSE `registrarCseId` (SP-relative CSE-ID). */
  targetIsRegistrar(registrarCseId: string): boolean {
    return this.targetCseId === registrarCseId;
  }

  /** True when `to` addresses a resource of the ESPrim Target CSE (SP-relative or absolute form). */
  protects(to: string): boolean {
    const id = this.targetCseId;
    if (!id) return false;
    const spRelative = to.startsWith('//') ? to.slice(to.indexOf('/', 2)) : to;
    return spRelative === id || spRelative.startsWith(`${id}/`);
  }

  /** Sends `req` (inner From = this AE's AE-ID, or its stem at the Registrar) inside an outer NOTIFY from `stem` to the Target's <CSEBase>. */
  async request(transport: AeTransport, stem: string, req: RequestPrimitive): Promise<ResponsePrimitive> {
    // A MAF ESPrim key near the end of its registration is replaced before use, not after a refusal.
    if (this.mafEsprim && Date.now() >= this.mafRenewAt) this.client = undefined;
    this.client ??= this.open(transport, stem);
    const pending = this.client;
    // A failed ESCertKE is tried again on the next request rather than remembered.
    pending.catch(() => {
      if (this.client === pending) this.client = undefined;
    });
    let refused: ResponsePrimitive | M2MError;
    try {
      const rsp = await (await pending).request(req);
      if (rsp.rsc !== ResponseStatusCode.ESPRIM_UNKNOWN_KEY_ID) return rsp;
      refused = rsp;
    } catch (e) {
      if (!(e instanceof M2MError && e.rsc === ResponseStatusCode.ESPRIM_UNKNOWN_KEY_ID)) throw e;
      refused = e;
    }
    // 4112: the Target does not know the ESCertKE key (it replaced it, or this AE loaded it from its
    // keystore after the Target forgot it). It refused before decrypting, so nothing was processed: a new
    // key by ESCertKE and one more try are safe. A pre-provisioned key has no such remedy.
    // A MAF ESPrim key (SUID 33) the Target cannot retrieve any more (deregistered, expired at the MAF):
    // likewise refused before decryption, so a new registration and one more try are safe.
    const e = this.o.esprim!;
    if (!('escertke' in e || 'maf' in e) || this.client !== pending) {
      if (refused instanceof M2MError) throw refused;
      return refused;
    }
    if ('escertke' in e) await this.keystore?.forget(e.targetCseBase);
    const fresh = this.open(transport, stem, { establish: true });
    this.client = fresh;
    fresh.catch(() => {
      if (this.client === fresh) this.client = undefined;
    });
    return (await fresh).request(req);
  }

  /** The ESPrim client, its pairwiseESPrimKey pre-provisioned or established now by ESCertKE (8.4.2 A). */
  private async open(transport: AeTransport, stem: string, o: { establish?: boolean } = {}): Promise<ESPrimClient> {
    const e = this.o.esprim!;
    // The relaying CSEs forward the outer NOTIFY by its To (TS-0009 6.2.2.1; MQTT and CoAP carry To as is).
    const send = (outer: RequestPrimitive) => transport.send(outer, { retarget: true });
    let originator: ESPrimOriginator;
    if ('maf' in e) {
      const { key, renewAt } = await this.mafEsprim!.register();
      this.mafRenewAt = renewAt;
      originator = new ESPrimOriginator({ kid: key.kid, pairwiseESPrimKey: key.key });
      return new ESPrimClient({ originator, send, from: stem, targetCseBase: e.targetCseBase });
    }
    if ('escertke' in e) {
      const c = e.escertke;
      const stored = o.establish ? undefined : await this.keystore?.load(e.targetCseBase);
      if (stored) {
        // The originator keeps this buffer as its key (no copy): not zeroised here.
        originator = new ESPrimOriginator({ kid: stored.kid, pairwiseESPrimKey: stored.key });
        return new ESPrimClient({ originator, send, from: stem, targetCseBase: e.targetCseBase });
      }
      const established = await establishE2EKey({
        endPoint: {
          cert: c.cert,
          key: c.key,
          ca: c.ca,
          identityContext: { spId: c.spId, inCseId: this.targetCseId! },
          terminatingId: this.targetCseId!,
        },
        send,
        from: stem,
        targetCseBase: e.targetCseBase,
      });
      await this.keystore?.save(e.targetCseBase, {
        kid: established.kid,
        key: Buffer.from(established.pairwiseE2EKey),
      });
      originator = new ESPrimOriginator({ kid: established.kid, pairwiseESPrimKey: established.pairwiseE2EKey });
    } else originator = new ESPrimOriginator({ kid: e.kid, pairwiseESPrimKey: e.key });
    return new ESPrimClient({ originator, send, from: stem, targetCseBase: e.targetCseBase });
  }

  /**
   * `con` and `cnf` of a contentInstance: ESData when configured (a JWE, a JWS, or a JWE around a JWS),
   * else JSON as it is.
   */
  async content(con: string): Promise<{ cnf: string; con: string }> {
    const d = this.o.esdata;
    const maf = this.mafSource;
    const recipient = d?.recipient ?? (maf?.usage === 'encrypt' ? await maf.recipient() : undefined);
    const signer = d?.signer ?? (maf?.usage === 'sign' ? await maf.signer() : undefined);
    if (!d || (!recipient && !signer)) return { cnf: 'application/json:0', con };
    const securityClass = recipient && signer ? 'sign-then-encrypt' : recipient ? 'encrypt' : 'sign';
    const protectedCon = await protectContent(con, {
      securityClass,
      serialization: 1,
      ...(recipient ? { recipients: [recipient] } : {}),
      ...(signer ? { signers: [signer] } : {}),
    });
    // contentSecurity 1: JWE / JWS compact serialization (TS-0004 6.3.5.x contentInfo, TS-0003 8.5).
    return { cnf: contentInfo('application/json', 0, 1), con: protectedCon };
  }
}
