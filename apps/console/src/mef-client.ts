// The console's way to the MEF's administrating-stakeholder API (docs/mef.md section 10): its own
// listener, the bearer token as the console's credential (read from a file, never argv or logs).
// Plain http is accepted on loopback only (the MEF's default admin listener), else https.
import { readFileSync } from 'node:fs';
import { ActionError } from './actions.js';

export interface MefConfig {
  /** http://127.0.0.1:8081 (loopback) or an https URL. */
  url: string;
  tokenFile: string;
}

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|\[::1\]|localhost)(:\d+)?$/;

export class MefClient {
  readonly #token: string;
  constructor(private readonly c: MefConfig) {
    if (!c.url.startsWith('https://') && !LOOPBACK.test(c.url))
      throw new Error('invalid configuration: mef.url must be https, or http on loopback');
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
      throw new ActionError('the MEF could not be reached');
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
        `${what}: MEF answered ${r.status}${r.body?.error ? ` (${r.body.error})` : ''}`,
        r.status === 404 ? 404 : 502,
      );
    return r.body;
  }
}

export async function mefEnrolees(mef: MefClient) {
  return mef.ok('MEF enrolees', 'GET', '/admin/enrolees');
}

export async function mefEnrolments(mef: MefClient) {
  return mef.ok('MEF enrolments', 'GET', '/admin/enrolments');
}

/** EST certificates with their expiry (notAfter) and revocation state. */
export async function mefCertificates(mef: MefClient) {
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

export async function mefRevokeCertificate(mef: MefClient, serial: string, reason = 'unspecified') {
  if (!/^[0-9A-Fa-f:]{1,60}$/.test(serial)) throw new ActionError('serial must be hex', 400);
  return mef.ok(`revocation of certificate ${serial}`, 'DELETE', `/admin/certificates/${encodeURIComponent(serial)}`, {
    reason,
  });
}

export async function mefRevokeEnrolment(mef: MefClient, keId: string) {
  if (!keId) throw new ActionError('keId is required', 400);
  return mef.ok(`revocation of enrolment ${keId}`, 'DELETE', `/admin/enrolments/${encodeURIComponent(keId)}`);
}
