// The MN-CSE's optional CoAP listener for AEs (Mca over TS-0008, DTLS 1.2 "coaps"): the PSK-based SAEF
// with the Kpsa its configuration provisions (TS-0003 8.2.2.1). The DTLS session's PSK identity becomes
// the transport context's association (Credential-ID and the AE-IDs / originators bound to it), so
// authentication and the impersonation checks see the same facts as over the IN-CSE's PSK listeners.
import { type CoapBinding, createCoapBinding } from '@m2msec/binding-coap';
import type { Logger } from '@m2msec/cse';
import { DtlsUnavailableError } from '@m2msec/dtls';
import {
  type IdContext,
  parseOriginator,
  type RequestHandler,
  type TransportContext,
  toSpRelativeOriginator,
} from '@m2msec/protocol';
import type { CoapListenerOptions } from './mn-cse-options.js';

function spRelative(id: string, ctx: IdContext): string {
  try {
    return toSpRelativeOriginator(parseOriginator(id), ctx);
  } catch (e) {
    throw new TypeError(`createMnCse: coap.psk binds '${id}', not an originator: ${(e as Error).message}`);
  }
}

export async function startCoapListener(
  o: CoapListenerOptions,
  ctx: IdContext,
  handler: RequestHandler,
  log: Logger,
): Promise<{ binding: CoapBinding; url: string } | undefined> {
  // Bound IDs in the SP-relative form the receiver rules compare From in ('Cabc' -> '/id-mn/Cabc').
  const byIdentity = new Map(
    o.psk.map((p) => [p.identity, { key: p.key, boundIds: (p.boundIds ?? []).map((id) => spRelative(id, ctx)) }]),
  );
  if (byIdentity.size !== o.psk.length) throw new TypeError('createMnCse: coap.psk names an identity twice');
  const host = o.host ?? '127.0.0.1';
  let binding: CoapBinding;
  try {
    binding = createCoapBinding({
      host,
      port: o.port,
      handler,
      ...(o.responseOptions === undefined ? {} : { responseOptions: o.responseOptions }),
      // Synchronous, from memory: an unknown identity ends the handshake (no key, no session).
      psk: (raw) => {
        const identity = raw.toString('utf8');
        const p = byIdentity.get(identity);
        if (!p) log.warn({ identity }, 'DTLS-PSK handshake refused: unknown KpsaID');
        return p ? Buffer.from(p.key) : undefined;
      },
      transportContext: (session, base): TransportContext => {
        const identity = session.pskIdentity?.toString('utf8') ?? '';
        const p = byIdentity.get(identity);
        return {
          ...base,
          association: { boundIds: [...(p?.boundIds ?? [])], credentialId: `12-${identity}`, framework: 'psk' },
        };
      },
      onError: (e) => log.error({ err: (e as Error)?.name }, 'CoAP request failed'),
    });
  } catch (e) {
    // Without libssl3 the listener does not start; the rest of the MN-CSE runs (as on the IN-CSE).
    if (e instanceof DtlsUnavailableError) {
      log.error({}, `CoAP listener not started: ${e.message}`);
      return undefined;
    }
    throw e;
  }
  const a = await binding.listen();
  return { binding, url: `coaps://${host}:${a.port}` };
}
