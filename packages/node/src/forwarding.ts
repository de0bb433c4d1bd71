// Senders for forwarding down to registered CSEs (TS-0004 7.3.2.6) over the certificate-based SAEF:
// one keep-alive agent per remote CSE, so each association carries exactly one credential.
import { readFileSync } from 'node:fs';
import { HttpRequestSender } from '@m2msec/binding-http';
import type { RequestSender } from '@m2msec/protocol';
import { createSaefAgent } from '@m2msec/saef';
import { ConfigError, type InCseConfig } from './config.js';

/** TS-0001 6.5.1.1: an MN-/ASN-CSE's public domain name is '<CSE-ID>.<IN-CSE public domain>'. */
export function remoteCseDomainName(cseId: string, config: InCseConfig): string {
  return `${cseId.slice(1)}.${config.cse.cseId.slice(1)}.${config.cse.spId}`;
}

export function forwardingSenders(config: InCseConfig): (cseId: string) => readonly RequestSender[] | undefined {
  const byCse = new Map<string, RequestSender[]>();
  for (const r of config.forwarding.remoteCses) {
    const read = (path: string, what: string) => {
      try {
        return readFileSync(path);
      } catch (e) {
        throw new ConfigError(`forwarding.remoteCses ${r.cseId} ${what}: ${(e as Error).message}`);
      }
    };
    const agent = createSaefAgent({
      kind: 'certificate',
      cert: read(r.certificate.cert, 'cert'),
      key: read(r.certificate.key, 'key'),
      trustAnchors: r.certificate.trustAnchors.map((t) => read(t, 'trust anchor')),
      servername: r.certificate.servername ?? remoteCseDomainName(r.cseId, config),
    });
    byCse.set(r.cseId, [new HttpRequestSender({ httpsAgent: agent })]);
  }
  return (cseId) => byCse.get(cseId);
}
