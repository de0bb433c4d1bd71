// The console's way to the admin APIs of the MEF (docs/mef.md section 10) and the MAF (docs/maf.md):
// their own listeners, the bearer token as the console's credential (read from a file, never argv or
// logs). Plain http is accepted on loopback only (their default admin listeners), else https.
import { readFileSync } from 'node:fs';
import { ActionError } from './actions.js';

export interface AdminApiConfig {
  /** http://127.0.0.1:8081 (loopback) or an https URL. */
  url: string;
  tokenFile: string;
}

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?$/;

export type MefConfig = AdminApiConfig;

export class AdminApiClient {
  readonly #token: string;
  constructor(
    private readonly c: AdminApiConfig,
    readonly name = 'MEF',
  ) {
    if (!c.url.startsWith('https://') && !LOOPBACK.test(c.url))
      throw new Error(`invalid configuration: the ${name} url must be https, or http on loopback`);
    this.#token = readFileSync(c.tokenFile, 'utf8').trim();
  }

  async send(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    let r: Response;
    try {
      r = await fetch(this.c.url + path, {
        method,
        headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw new ActionError(`the ${this.name} could not be reached`);
    }
    const text = await r.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: r.status, body: parsed };
  }

  async ok(what: string, method: string, path: string, body?: unknown): Promise<any> {
    const r = await this.send(method, path, body);
    if (r.status !== 200)
      throw new ActionError(
        `${what}: ${this.name} answered ${r.status}${r.body?.error ? ` (${r.body.error})` : ''}`,
        r.status === 404 ? 404 : 502,
      );
    return r.body;
  }
}

export { AdminApiClient as MefClient };

export async function mefEnrolees(mef: AdminApiClient) {
  return mef.ok('MEF enrolees', 'GET', '/admin/enrolees');
}

export async function mefEnrolments(mef: AdminApiClient) {
  return mef.ok('MEF enrolments', 'GET', '/admin/enrolments');
}

/** EST certificates with their expiry (notAfter) and revocation state. */
export async function mefCertificates(mef: AdminApiClient) {
  const list = (await mef.ok('MEF certificates', 'GET', '/admin/certificates')) as Array<Record<string, any>>;
  return list.map((c) => ({
    serialNumber: c.serialNumber,
    enroleeId: c.enroleeId,
    operation: c.operation,
    issuedAt: new Date(c.issuedAt).toISOString(),
    notAfter: new Date(c.notAfter).toISOString(),
    revoked: c.revokedAt ? `${new Date(c.revokedAt).toISOString()} (${c.reason})` : undefined,
  }));
}

export async function mefRevokeCertificate(mef: AdminApiClient, serial: string, reason = 'unspecified') {
  if (!/^[0-9A-Fa-f:]{1,60}$/.test(serial)) throw new ActionError('serial must be hex', 400);
  return mef.ok(`revocation of certificate ${serial}`, 'DELETE', `/admin/certificates/${encodeURIComponent(serial)}`, {
    reason,
  });
}

export async function mefRevokeEnrolment(mef: AdminApiClient, keId: string) {
  if (!keId) throw new ActionError('keId is required', 400);
  return mef.ok(`revocation of enrolment ${keId}`, 'DELETE', `/admin/enrolments/${encodeURIComponent(keId)}`);
}
