// [trustAnchorCred] processing (TS-0003 8.3.9.9.7): a trust anchor already held is used; otherwise it is
// fetched by HTTPS GET from the URI (the server authenticated by the node's current trust anchors) and
// accepted only if its SHA-256 fingerprint is the certFingerprint the administrator set.
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { certificateFingerprint, fingerprintOf } from './credential.js';

export interface FetchOptions {
  /** Trust anchors for the HTTPS server that serves the certificate. */
  ca: readonly string[];
  /** Connect here instead of resolving the URI's host (tests, split DNS); the host stays in SNI. */
  connectAddress?: string;
  timeoutMs?: number;
}

const MAX_BYTES = 64 * 1024;

function get(uri: string, o: FetchOptions): Promise<Buffer> {
  const url = new URL(uri);
  if (url.protocol !== 'https:') return Promise.reject(new Error('the trust anchor URI must be https'));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        ca: [...o.ca],
        servername: url.hostname,
        ...(o.connectAddress ? { lookup: (_h, _o, cb) => cb(null, [{ address: o.connectAddress!, family: 4 }]) } : {}),
        timeout: o.timeoutMs ?? 10_000,
      },
      (res) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          size += d.length;
          if (size > MAX_BYTES) req.destroy(new Error('trust anchor answer larger than 64 KiB'));
          else parts.push(d);
        });
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(parts))
            : reject(new Error(`HTTPS GET answered ${res.statusCode}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('HTTPS GET timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** A PEM or DER certificate as PEM. */
function asPem(body: Buffer): string {
  const text = body.toString('latin1');
  const cert = text.includes('-----BEGIN CERTIFICATE-----') ? new X509Certificate(text) : new X509Certificate(body);
  return cert.toString();
}

/** The trust anchor with this fingerprint: from `held`, or fetched and checked. */
export async function obtainTrustAnchor(
  fingerprint: string,
  uri: string,
  held: readonly string[],
  o: FetchOptions,
): Promise<{ pem: string; fetched: boolean }> {
  const own = held.find((p) => certificateFingerprint(p) === fingerprint);
  if (own) return { pem: own, fetched: false };
  const body = await get(uri, o);
  let pem: string;
  try {
    pem = asPem(body);
  } catch {
    throw new Error('the answer of the trust anchor URI is not a certificate');
  }
  const got = fingerprintOf(new X509Certificate(pem).raw);
  if (got !== fingerprint) throw new Error(`the certificate fetched has fingerprint ${got}, not the certFingerprint`);
  return { pem, fetched: true };
}
