// Enrolment Target side of /fetchCredentials (TS-0003 8.3.2.1): RETRIEVE
// /fetchCredentials/<KeID>/<SUID> over a TLS session authenticated with the target's own credential
// at the MEF (a PSK or a certificate), X-M2M-Origin = the target's ID.
import { request } from 'node:https';
import { parseSuid } from '@m2msec/crypto';
import { type BootstrapCredential, mefHandshakeOptions } from '../enrolee/channel.js';
import { fromB64 } from '../lib/bytes.js';
import { RspfError } from '../lib/errors.js';
import { FETCH_CREDENTIALS_PATH } from '../mef/fetch-credentials.js';

export interface FetchedCredential {
  key: Buffer;
  enroleeId: string;
  /** ms since epoch (Table 8.3.2.1-5 Lifetime). */
  expiresAt: number;
}

export interface MefFetchOptions {
  /** https://host:port of the MEF listener the target authenticates to. */
  mefUrl: string;
  mefFqdn: string;
  /** The target's credential at the MEF. */
  credential: BootstrapCredential;
  /** The target's ID as X-M2M-Origin (its CSE-ID / AE-ID / MAF-ID). */
  targetId: string;
  timeoutMs?: number;
}

let counter = 0;

export async function fetchCredentials(o: MefFetchOptions, keId: string, suid: number): Promise<FetchedCredential> {
  parseSuid(suid);
  const url = new URL(`${FETCH_CREDENTIALS_PATH}/${encodeURIComponent(keId)}/${suid}`, o.mefUrl);
  const tls = await mefHandshakeOptions(o.credential, o.mefFqdn);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      ...tls,
      method: 'GET',
      agent: false,
      timeout: o.timeoutMs ?? 10_000,
      headers: {
        'x-m2m-origin': o.targetId,
        'x-m2m-ri': `fetch-${process.pid}-${++counter}`,
        'x-m2m-rvi': '3',
        accept: 'application/json',
      },
    });
    req.on('timeout', () => req.destroy(new RspfError('PROTOCOL', 'the MEF did not answer /fetchCredentials in time')));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (res.statusCode !== 200 || body?.status !== true) {
            const rsc = Number(res.headers['x-m2m-rsc'] ?? 0);
            const code = rsc === 4004 ? 'NOT_FOUND' : rsc === 4000 ? 'BAD_REQUEST' : 'FORBIDDEN';
            reject(new RspfError(code, `/fetchCredentials refused: ${String(body?.errorString ?? res.statusCode)}`));
            return;
          }
          const key = fromB64(body.credential, 'credential');
          if (key.length !== 32 || typeof body.enroleeID !== 'string' || !Number.isFinite(body.lifetime)) {
            reject(new RspfError('PROTOCOL', 'the MEF answered /fetchCredentials with a malformed credential'));
            return;
          }
          resolve({ key, enroleeId: body.enroleeID, expiresAt: body.lifetime });
        } catch {
          reject(new RspfError('PROTOCOL', 'the MEF answered /fetchCredentials with a body that is not JSON'));
        }
      });
    });
    req.end();
  });
}
