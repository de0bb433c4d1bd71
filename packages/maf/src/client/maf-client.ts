// The MAF client side of the Mmaf procedures (TS-0003 8.8.2): every call is one request on its own
// MAF Handshake (8.8.2.2; TLS 1.2, SNI = MAF-FQDN), authenticated with the client's Km (psk_identity =
// KmID, or the KeID of a MEF-provisioned Km until the MAF assigns a KmID) or its certificate. Key
// Registration reads Kc / KcID from its own side of that session's EXPORTER-oneM2M-Connection
// (10.3.1) and checks that the MAF derived the same RelativeKeyID.
import { request } from 'node:https';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import {
  type ConnectionKey,
  certificateClientOptions,
  connectionKeyFromMafSession,
  pskClientOptions,
} from '@m2msec/saef';
import { MafError, type MafErrorCode } from '../lib/errors.js';

export type MafClientCredential =
  | { kind: 'psk'; identity: string; key: Uint8Array }
  | {
      kind: 'certificate';
      cert: string | Buffer;
      key: string | Buffer;
      /** Trust anchors for the MAF certificate (8.8.3.2). */
      trustAnchors: ReadonlyArray<string | Buffer>;
    };

export interface MafClientOptions {
  /** https://host:port of the MAF's handshake listener. */
  mafUrl: string;
  mafFqdn: string;
  credential: MafClientCredential;
  timeoutMs?: number;
}

export interface MafAnswer {
  status: number;
  rsc: number;
  body: any;
}

export type TimeInput = Date | string | number;

export interface ClientRegistrationRequest {
  adminFQDN: string;
  expirationTime: TimeInput;
  labels?: string[];
  /** Where the MAF announces keys registered for this client (docs/maf.md). */
  notificationURI?: string;
}

export interface ClientRegistrationAnswer {
  mafClientRegID: string;
  expirationTime: string;
  mafClientID: string;
  adminFQDN: string;
  labels?: string[];
  notificationURI?: string;
  /** The KmID to use from now on (Km provisioned by a MEF). */
  assignedSymmKeyID?: string;
}

export interface KeyRegistrationRequest {
  adminFQDN: string;
  expirationTime: TimeInput;
  /** m2m:suid, 32 for MAF-based SAEF. */
  suid: number;
  targetIDs: string[];
  labels?: string[];
  /** Self-generated key (8.8.2.7 2.b); absent: the session exporter. */
  keyValue?: Uint8Array;
}

export interface KeyRegistrationAnswer {
  relativeKeyID: string;
  keyIdentifier: string;
  expirationTime: string;
  sourceMafClientID: string;
  adminFQDN: string;
  suid: number;
  targetIDs: string[];
  labels?: string[];
  notifiedTargets: Record<string, string>;
}

export interface KeyRetrievalAnswer {
  relativeKeyID: string;
  expirationTime: string;
  sourceMafClientID: string;
  adminFQDN: string;
  suid: number;
  keyValue: Buffer;
  labels?: string[];
}

const codeOf = (rsc: number): MafErrorCode =>
  rsc === 4000
    ? 'BAD_REQUEST'
    : rsc === 4004
      ? 'NOT_FOUND'
      : rsc === 4103
        ? 'FORBIDDEN'
        : rsc === 4105
          ? 'CONFLICT'
          : 'PROTOCOL';

const iso = (t: TimeInput): string => new Date(t).toISOString();

let counter = 0;

export class MafClient {
  #credential: MafClientCredential;

  constructor(private readonly o: MafClientOptions) {
    this.#credential = o.credential;
  }

  /** The credential the next MAF Handshake uses (its identity changes when the MAF assigns a KmID). */
  get credential(): MafClientCredential {
    return this.#credential;
  }

  get mafFqdn(): string {
    return this.o.mafFqdn;
  }

  /** MAF Client Registration (8.8.2.3); adopts assignedSymmKeyID as the KmID. */
  async registerClient(p: ClientRegistrationRequest): Promise<ClientRegistrationAnswer> {
    const a = await this.expect(2001, 'POST', '/maf/mafClientReg', {
      mafFQDN: this.o.mafFqdn,
      adminFQDN: p.adminFQDN,
      expirationTime: iso(p.expirationTime),
      ...(p.labels ? { labels: p.labels } : {}),
      ...(p.notificationURI ? { notificationURI: p.notificationURI } : {}),
    });
    this.#adopt(a.assignedSymmKeyID);
    return a;
  }

  /** MAF Client Registration Update (8.8.2.5). */
  async updateClient(
    mafClientRegID: string,
    p: Partial<Omit<ClientRegistrationRequest, 'adminFQDN'>>,
  ): Promise<Partial<ClientRegistrationAnswer>> {
    const a = await this.expect(2004, 'PUT', `/maf/mafClientReg/${encodeURIComponent(mafClientRegID)}`, {
      mafFQDN: this.o.mafFqdn,
      ...(p.expirationTime !== undefined ? { expirationTime: iso(p.expirationTime) } : {}),
      ...(p.labels ? { labels: p.labels } : {}),
      ...(p.notificationURI ? { notificationURI: p.notificationURI } : {}),
    });
    this.#adopt(a.assignedSymmKeyID);
    return a;
  }

  /** MAF Client Configuration Retrieval (8.8.2.4). */
  async clientConfiguration(mafClientRegID: string): Promise<Record<string, unknown>> {
    const a = await this.expect(2000, 'GET', `/maf/mafClientReg/${encodeURIComponent(mafClientRegID)}/mafClientCfg`);
    return a.mafClientCfg;
  }

  /** MAF Client De-Registration (8.8.2.6). */
  async deregisterClient(mafClientRegID: string): Promise<void> {
    await this.expect(2002, 'DELETE', `/maf/mafClientReg/${encodeURIComponent(mafClientRegID)}`);
  }

  /**
   * MAF Key Registration (8.8.2.7). Without keyValue, Kc / KcID come from this session's exporter and
   * the answer is checked against them; `connectionKey` is what Entity A uses towards Entity B.
   */
  async registerKey(p: KeyRegistrationRequest): Promise<KeyRegistrationAnswer & { connectionKey?: ConnectionKey }> {
    let connectionKey: ConnectionKey | undefined;
    const a = await this.expect(
      2001,
      'POST',
      '/maf/symmKeyReg',
      {
        mafFQDN: this.o.mafFqdn,
        adminFQDN: p.adminFQDN,
        expirationTime: iso(p.expirationTime),
        suid: p.suid,
        targetIDs: p.targetIDs,
        ...(p.labels ? { labels: p.labels } : {}),
        ...(p.keyValue ? { keyValue: Buffer.from(p.keyValue).toString('base64') } : {}),
      },
      p.keyValue
        ? undefined
        : (s) => {
            // No context (10.3.1): Node passes none when `c` is undefined.
            connectionKey = connectionKeyFromMafSession(
              (n, l, c) => s.exportKeyingMaterial(n, l, c as Buffer),
              this.o.mafFqdn,
            );
          },
    );
    if (connectionKey && connectionKey.kcId.toString('hex') !== String(a.relativeKeyID).toLowerCase()) {
      connectionKey.kc.fill(0);
      throw new MafError(
        'PROTOCOL',
        'the MAF answered a RelativeKeyID that is not hexBinary(KcID) of this session (10.3.5)',
      );
    }
    return { ...a, ...(connectionKey ? { connectionKey } : {}) };
  }

  /** MAF Key Retrieval (8.8.2.8) by Key Identifier (RelativeKeyID@MAF-FQDN) or RelativeKeyID. */
  async retrieveKey(keyIdentifierOrRelativeKeyID: string): Promise<KeyRetrievalAnswer> {
    const rid = this.#relative(keyIdentifierOrRelativeKeyID);
    const a = await this.expect(2000, 'GET', `/maf/symmKeyReg/${encodeURIComponent(rid)}`);
    if (typeof a.keyValue !== 'string')
      throw new MafError('PROTOCOL', 'the MAF answered Key Retrieval without keyValue');
    return { ...a, keyValue: Buffer.from(a.keyValue, 'base64') };
  }

  /** MAF Key Registration Update (8.8.2.9). */
  async updateKey(
    keyIdentifierOrRelativeKeyID: string,
    p: { expirationTime?: TimeInput; labels?: string[]; targetIDs?: string[] },
  ): Promise<Record<string, unknown>> {
    return this.expect(
      2004,
      'PUT',
      `/maf/symmKeyReg/${encodeURIComponent(this.#relative(keyIdentifierOrRelativeKeyID))}`,
      {
        mafFQDN: this.o.mafFqdn,
        ...(p.expirationTime !== undefined ? { expirationTime: iso(p.expirationTime) } : {}),
        ...(p.labels ? { labels: p.labels } : {}),
        ...(p.targetIDs ? { targetIDs: p.targetIDs } : {}),
      },
    );
  }

  /** MAF Key De-Registration (8.8.2.10). */
  async deregisterKey(keyIdentifierOrRelativeKeyID: string): Promise<Record<string, unknown>> {
    return this.expect(
      2002,
      'DELETE',
      `/maf/symmKeyReg/${encodeURIComponent(this.#relative(keyIdentifierOrRelativeKeyID))}`,
    );
  }

  /** DerivedKey mode: an identity and K_RS-C from the trust anchor hosted by the MAF. */
  async requestDerivedKey(
    taId: string,
  ): Promise<{ taId: string; identity: string; key: Buffer; sequenceNumber: bigint }> {
    const a = await this.expect(2001, 'POST', `/maf/dkTrustAnchor/${encodeURIComponent(taId)}/grants`, {});
    return {
      taId: a.taId,
      identity: a.identity,
      key: Buffer.from(a.key, 'base64'),
      sequenceNumber: BigInt(a.sequenceNumber),
    };
  }

  /** DerivedKey mode: revoke sequence numbers (own grants, or any as a TA administrator). */
  async revokeDerivedKeys(taId: string, sequenceNumbers: readonly bigint[]): Promise<Record<string, unknown>> {
    return this.expect(2001, 'POST', `/maf/dkTrustAnchor/${encodeURIComponent(taId)}/revocations`, {
      sequenceNumbers: sequenceNumbers.map(String),
    });
  }

  /** One request on a fresh MAF Handshake; `onSession` sees the TLS socket before it closes. */
  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    onSession?: (socket: TLSSocket) => void,
  ): Promise<MafAnswer> {
    const url = new URL(path, this.o.mafUrl);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const tls = this.#tlsOptions();
    return new Promise((resolve, reject) => {
      const req = request(url, {
        ...tls,
        method,
        agent: false,
        timeout: this.o.timeoutMs ?? 15_000,
        headers: {
          'x-m2m-ri': `maf-${process.pid}-${++counter}`,
          'x-m2m-rvi': '3',
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
        },
      });
      req.on('timeout', () =>
        req.destroy(new MafError('UNAVAILABLE', `the MAF did not answer ${method} ${path} in time`)),
      );
      req.on('error', reject);
      req.on('response', (res) => {
        try {
          onSession?.(res.socket as TLSSocket);
        } catch (e) {
          req.destroy(e as Error);
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            reject(new MafError('PROTOCOL', `the MAF answered ${method} ${path} with a body that is not JSON`));
            return;
          }
          resolve({ status: res.statusCode ?? 0, rsc: Number(res.headers['x-m2m-rsc'] ?? 0), body: parsed });
        });
      });
      req.end(payload);
    });
  }

  private async expect(
    rsc: number,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    onSession?: (s: TLSSocket) => void,
  ) {
    const a = await this.request(method, path, body, onSession);
    if (a.rsc !== rsc) {
      const why = typeof a.body?.['m2m:dbg'] === 'string' ? a.body['m2m:dbg'] : `HTTP ${a.status}`;
      throw new MafError(codeOf(a.rsc), `MAF answered ${method} ${path} with ${a.rsc || a.status}: ${why}`);
    }
    return a.body;
  }

  #relative(v: string): string {
    const at = v.indexOf('@');
    if (at < 0) return v;
    if (v.slice(at + 1).toLowerCase() !== this.o.mafFqdn.toLowerCase()) {
      throw new MafError('BAD_REQUEST', `Key Identifier '${v.slice(0, 80)}' names another MAF than ${this.o.mafFqdn}`);
    }
    return v.slice(0, at);
  }

  #adopt(kmId: unknown): void {
    if (typeof kmId === 'string' && this.#credential.kind === 'psk')
      this.#credential = { ...this.#credential, identity: kmId };
  }

  #tlsOptions(): ConnectionOptions {
    const c = this.#credential;
    if (c.kind === 'psk') {
      return pskClientOptions({ identity: c.identity, key: c.key, tls13: false, servername: this.o.mafFqdn });
    }
    return certificateClientOptions({
      cert: c.cert,
      key: c.key,
      trustAnchors: c.trustAnchors,
      servername: this.o.mafFqdn,
      tls13: false,
    });
  }
}
