// The one place a request is logged and counted: a RequestHandler wrapped at the outermost point of a
// listener, so the line carries what the association proved (TransportContext, DESIGN.md section 2)
// and the final status, whatever layer (authentication, authorization, a role) decided it.
// Never the content (pc), never a header: identifiers and status only.
import type { HandlerResponse, RequestHandler, TransportContext } from '@m2msec/protocol';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';
import { refusalReasonOf } from './refusal.js';

export interface ObserveOptions {
  log: Logger;
  metrics?: Metrics;
  /** The listener ('http', 'https-psk', 'https-cert', 'coaps', 'mqtt'). */
  channel: string;
  /**
   * Share of permitted requests that get an access line (0..1, default 1). Refusals are always logged.
   * Deterministic: with 0.25 every fourth request is written.
   */
  accessSampling?: number;
}

const MAX_FIELD = 256;
const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? (v.length > MAX_FIELD ? `${v.slice(0, MAX_FIELD)}…` : v) : undefined;

/** Who the association proved, in words fit for a log: bound IDs, credential-ID, PSK identity or SAN. */
export function authenticatedIdentity(t: TransportContext): string | undefined {
  const a = t.association;
  if (a?.boundIds.length) return text(a.boundIds.join(','));
  if (a?.credentialId) return text(a.credentialId);
  if (t.tls?.pskIdentity) return text(t.tls.pskIdentity);
  if (t.tls?.peerCertificate) return text(t.tls.peerCertificate.subjectAltNames.join(','));
  if (t.mqtt?.credentialId) return text(t.mqtt.credentialId);
  return undefined;
}

/** The kind of association the request came over (its framework), or 'none' on a plain transport. */
export function associationType(t: TransportContext): string {
  if (t.association?.framework) return t.association.framework;
  if (t.tls?.pskIdentity) return 'psk';
  if (t.tls?.peerCertificate) return 'certificate';
  if (t.mqtt?.credentialId) return 'mqtt-credential';
  return 'none';
}

/** Counter and histogram children per (op, rsc, binding), so a request does no label hashing. */
function requestSeries(metrics: Metrics) {
  const counters = new Map<string, { inc(): void }>();
  const histograms = new Map<string, { observe(v: number): void }>();
  return (op: string, rsc: string, binding: string, seconds: number) => {
    const ck = `${op} ${rsc} ${binding}`;
    let c = counters.get(ck);
    if (!c) {
      c = metrics.requests.labels({ op, rsc, binding });
      counters.set(ck, c);
    }
    c.inc();
    const hk = `${op} ${binding}`;
    let h = histograms.get(hk);
    if (!h) {
      h = metrics.requestDuration.labels({ op, binding });
      histograms.set(hk, h);
    }
    h.observe(seconds);
  };
}

export function observeHandler(handler: RequestHandler, o: ObserveOptions): RequestHandler {
  const rate = Math.min(1, Math.max(0, o.accessSampling ?? 1));
  let credit = 0;
  const count = o.metrics ? requestSeries(o.metrics) : undefined;
  // The permitted-request line is written by a child without redaction: its fields are the fixed, flat
  // set below (identifiers and status, none named like a secret, no nested object), so the logger's
  // wildcard redaction could never match in it, yet cost about three times the rest of the line
  // (docs/performance.md). Refusal and security lines keep the parent's redaction.
  const access = o.log.child({}, { redact: { paths: [] } });
  return async (req, transport) => {
    const started = process.hrtime.bigint();
    let rsp: HandlerResponse | undefined;
    try {
      rsp = await handler(req, transport);
      return rsp;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const raw = req as unknown as Record<string, unknown>;
      // TS-0004 operations 1..6 (CREATE..DISCOVERY); anything else a client sent is 'invalid', so a label
      // never takes a value a client chose (unbounded series would grow without end).
      const op =
        typeof raw?.op === 'number' && Number.isInteger(raw.op) && raw.op >= 1 && raw.op <= 6 ? raw.op : undefined;
      const rsc = rsp?.rsc ?? 5000;
      count?.(op === undefined ? 'invalid' : String(op), String(rsc), transport.binding, seconds);
      const line = {
        kind: 'access',
        channel: o.channel,
        binding: transport.binding,
        rqi: text(raw?.rqi),
        op,
        to: text(raw?.to),
        originator: text(raw?.fr),
        identity: authenticatedIdentity(transport),
        association: associationType(transport),
        peer: transport.peerAddress,
        rsc,
        ms: Math.round(seconds * 1e6) / 1e3,
      };
      const reason = refusalReasonOf(rsc);
      if (reason) {
        o.metrics?.refusals.inc({ reason });
        o.log.warn(line, 'request');
        o.log.warn(
          {
            kind: 'security',
            event: 'refused',
            reason,
            channel: o.channel,
            rqi: line.rqi,
            originator: line.originator,
            identity: line.identity,
            association: line.association,
            peer: line.peer,
            rsc,
            // The decision's own words (authorization's rule and reason, authentication's failure).
            detail: text(rsp?.dbg),
          },
          'request refused',
        );
      } else {
        credit += rate;
        if (credit >= 1) {
          credit -= 1;
          access.info(line, 'request');
        }
      }
    }
  };
}
