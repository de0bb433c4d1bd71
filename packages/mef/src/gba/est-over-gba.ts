// EST over a GBA-derived TLS-PSK session (issue 16 item 4): the MEF serves EST to a bootstrapped device
// as a NAF of its own BSF, NAF FQDN = MEF-FQDN: psk_identity = B-TID, PSK = Ks_NAF for the MEF-FQDN
// (the shared-key TLS of TS 33.222 as TS-0003 8.3.2.3 uses it for Enrolment Targets). Ks_NAF comes from
// the BSF's Zn procedure called in process (no HTTP hop), so the subscriber's GUSS decides: only a
// subscriber whose `targets` list the MEF-FQDN gets a key here. Keys are held in a NafKeyCache; the
// handshake gate holds a first TLS 1.2 handshake until Ks_NAF is there (gba's gateNafHandshakes).
import type { RequestListener } from 'node:http';
import { createServer, type Server as HttpsServer } from 'node:https';
import type { Server as NetServer } from 'node:net';
import { estPskCallback } from '@m2msec/est';
import {
  type Bsf,
  GBA_PSK_IDENTITY_HINT,
  GBA_TLS_PSK_CIPHERS,
  gateNafHandshakes,
  type NafKey,
  NafKeyCache,
  type ZnAnswer,
} from '@m2msec/gba';

/** Ks_NAF of a B-TID for the MEF as NAF, through the BSF's own Zn handler (the MEF authenticates itself). */
export function inProcessZn(bsf: Bsf, mefFqdn: string) {
  return {
    async fetchKsNaf(btid: string): Promise<NafKey> {
      const a = await bsf.handleZn({
        method: 'POST',
        authenticatedNafFqdns: [mefFqdn],
        contentType: 'application/json',
        body: Buffer.from(JSON.stringify({ btid, nafFqdn: mefFqdn })),
      });
      if (a.status !== 200) throw new Error(`no Ks_NAF for this B-TID (Zn ${a.status})`);
      const z = JSON.parse(a.body) as ZnAnswer;
      return {
        btid: z.btid,
        impi: z.impi,
        ...(z.enroleeId !== undefined ? { enroleeId: z.enroleeId } : {}),
        nafFqdn: z.nafFqdn,
        ksNaf: Buffer.from(z.ksNaf, 'base64'),
        bootstrapTime: new Date(z.bootstrapTime),
        keyExpiry: new Date(z.keyExpiry),
      };
    },
  };
}

export interface EstOverGba {
  /** Listen on this one (it hands the bytes on to the TLS server once the key is known). */
  server: NetServer;
  /** The TLS server behind the gate (not listening itself; its connections are closed at shutdown). */
  tls: HttpsServer;
  cache: NafKeyCache;
}

export function estOverGba(bsf: Bsf, mefFqdn: string, app: RequestListener): EstOverGba {
  const cache = new NafKeyCache({ zn: inProcessZn(bsf, mefFqdn) });
  const tls = createServer(
    {
      ciphers: GBA_TLS_PSK_CIPHERS,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      pskIdentityHint: GBA_PSK_IDENTITY_HINT,
      // The EST identity is the B-TID (estPskCallback records it for the policy).
      pskCallback: estPskCallback((btid) => cache.lookup(btid)?.ksNaf),
    },
    app,
  );
  return { server: gateNafHandshakes(tls, cache), tls, cache };
}
