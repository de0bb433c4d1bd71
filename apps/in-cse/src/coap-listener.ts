// The optional CoAP listener (TS-0008 over DTLS 1.2, "coaps"): the PSK-based frameworks (Kpsa and
// DerivedKey, as on the HTTPS PSK listener) in front of the same CSE handler. The DTLS session's
// credential becomes the transport context's association, so authentication, authorization and the
// impersonation checks see the same facts as over HTTPS. Without libssl3 the listener refuses to start
// with a message naming the package, and the rest of the IN-CSE runs.
import { type CoapBinding, createCoapBinding } from '@m2msec/binding-coap';
import { DtlsUnavailableError } from '@m2msec/dtls';
import type { RequestHandler } from '@m2msec/protocol';
import { derivedKeyCredentialId, isDerivedKeyIdentity, parseDerivedKeyIdentity } from '@m2msec/saef';
import type { Logger } from 'pino';
import type { InCseAdministration } from './administration.js';
import type { InCseSecurity } from './security.js';

export interface CoapListenerConfig {
  host: string;
  port: number;
  /** 'coap-only' leaves the (critical) TS-0008 options out of responses, for plain CoAP clients. */
  responseOptions?: 'oneM2M' | 'coap-only';
}

export async function startCoapListener(
  coap: CoapListenerConfig,
  security: InCseSecurity,
  handler: RequestHandler,
  administration: InCseAdministration,
  log: Logger,
): Promise<{ binding: CoapBinding; url: string } | undefined> {
  const refuse = (identity: string, reason: string): undefined => {
    log.warn({ identity, reason }, 'DTLS-PSK handshake refused');
    administration.authenticationFailure({ channel: 'coaps-psk', credential: `pskIdentity:${identity}`, reason });
    return undefined;
  };
  let binding: CoapBinding;
  try {
    binding = createCoapBinding({
      host: coap.host,
      port: coap.port,
      handler: administration.audited(handler, 'coaps-psk'),
      ...(coap.responseOptions === undefined ? {} : { responseOptions: coap.responseOptions }),
      // Synchronous, from memory (DESIGN.md 3): DerivedKey check() changes nothing; Kpsa by KpsaID.
      psk: (raw) => {
        const identity = raw.toString('utf8');
        if (isDerivedKeyIdentity(identity)) {
          if (!security.derivedKey) return refuse(identity, 'DerivedKey mode is not enabled');
          const r = security.derivedKey.check(identity);
          return r.ok ? r.key : refuse(identity, r.message);
        }
        const k = security.kpsa.lookup(identity);
        return k ? Buffer.from(k.key) : refuse(identity, 'unknown or expired KpsaID');
      },
      // DerivedKey: the window moves only now that the Finished messages proved K_RS-C.
      acceptSession: (session) => {
        const identity = session.pskIdentity?.toString('utf8') ?? '';
        if (!isDerivedKeyIdentity(identity)) return true;
        const a = security.derivedKey?.accept(identity);
        if (!a?.ok) refuse(identity, a ? a.message : 'DerivedKey mode is not enabled');
        return a?.ok === true;
      },
      transportContext: (session, base) => {
        const identity = session.pskIdentity?.toString('utf8') ?? '';
        const derived = isDerivedKeyIdentity(identity);
        const credentialId = derived ? derivedKeyCredentialId(parseDerivedKeyIdentity(identity)) : `12-${identity}`;
        return {
          ...base,
          association: {
            boundIds: [...security.bindings.boundIdsSync(credentialId)],
            credentialId,
            framework: derived ? 'derived-key' : 'psk',
          },
        };
      },
      onError: (e) => log.error({ err: (e as Error)?.name }, 'CoAP request failed'),
    });
  } catch (e) {
    if (e instanceof DtlsUnavailableError) {
      log.error({}, `CoAP listener not started: ${e.message}`);
      return undefined;
    }
    throw e;
  }
  const a = await binding.listen();
  return { binding, url: `coaps://${coap.host}:${a.port}` };
}
