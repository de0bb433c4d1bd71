// Writers for the scale-out scenarios: AE clients over TLS-PSK (through the load balancer) that CREATE
// contentInstances as fast as they are answered and remember every acknowledged one (2001), so that
// afterwards each can be read back: an acknowledged write must never be lost, whichever replica took it.
import { OneM2MClient } from '@m2msec/saef';

export interface WriteLog {
  acknowledged: string[];
  /** Requests that got no answer or an error status (with the time, to check they are bunched at a kill). */
  failed: Array<{ at: number; what: string }>;
}

export function aeClient(port: number, ae: { identity: string; key: Buffer }): OneM2MClient {
  return new OneM2MClient({
    baseUrl: `https://127.0.0.1:${port}`,
    framework: { kind: 'psk', identity: ae.identity, key: ae.key },
    timeoutMs: 5000,
  });
}

/**
 * Runs `writers` loops until `stop()` resolves; each creates cins named w<k>-<i> under `container` (or
 * `container(k)`, one container per writer, as separate devices would have).
 */
export async function writeUntil(
  port: number,
  ae: { aeId: string; identity: string; key: Buffer },
  container: string | ((k: number) => string),
  writers: number,
  stop: Promise<void>,
): Promise<WriteLog> {
  const log: WriteLog = { acknowledged: [], failed: [] };
  let done = false;
  void stop.then(() => {
    done = true;
  });
  await Promise.all(
    Array.from({ length: writers }, async (_, k) => {
      const client = aeClient(port, ae);
      const to = typeof container === 'string' ? container : container(k);
      try {
        for (let i = 0; !done; i++) {
          const rn = `w${k}-${i}`;
          try {
            const r = await client.request({
              op: 1,
              to,
              from: ae.aeId,
              ty: 4,
              pc: { 'm2m:cin': { rn, con: String(i) } },
            });
            if (r.rsc === 2001) log.acknowledged.push(`${to}/${rn}`);
            else log.failed.push({ at: Date.now(), what: `${rn}: rsc ${r.rsc} ${JSON.stringify(r.pc).slice(0, 300)}` });
          } catch (e) {
            log.failed.push({ at: Date.now(), what: `${rn}: ${(e as Error).message}` });
          }
        }
      } finally {
        client.close();
      }
    }),
  );
  return log;
}
