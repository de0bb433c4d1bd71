// Client SDK: TLS options for Entity A per framework (TS-0003 8.2.2), for tls.connect, https.Agent
// or any client that takes Node TLS options (the AE and MN-CSE apps use them).
import type { ConnectionOptions } from 'node:tls';
import { certificateClientOptions } from '../certificate/client-options.js';
import { pskClientOptions } from '../psk/client-options.js';

export type SaefClientFramework =
  /** Provisioned Symmetric Key SAEF: psk_identity = KpsaID, psk = Kpsa. */
  | { kind: 'psk'; identity: string; key: Uint8Array; tls13?: boolean; servername?: string }
  /** MAF-based SAEF: psk_identity = hexBinary(KcID)@MAF-FQDN, psk = Kc (see connectionKeyFromMafSession). */
  | { kind: 'maf'; keyIdentifier: string; kc: Uint8Array; tls13?: boolean; servername?: string }
  /** DerivedKey mode: the identity and K_RS-C the trust anchor handed out. */
  | { kind: 'derived-key'; identity: string; key: Uint8Array; tls13?: boolean; servername?: string }
  /** Certificate-Based SAEF. */
  | {
      kind: 'certificate';
      cert: string | Buffer;
      key: string | Buffer;
      trustAnchors: ReadonlyArray<string | Buffer>;
      servername: string;
      tls13?: boolean;
    };

export function saefConnectionOptions(f: SaefClientFramework): ConnectionOptions {
  switch (f.kind) {
    case 'psk':
    case 'derived-key':
      return pskClientOptions({ identity: f.identity, key: f.key, tls13: f.tls13, servername: f.servername });
    case 'maf':
      return pskClientOptions({ identity: f.keyIdentifier, key: f.kc, tls13: f.tls13, servername: f.servername });
    case 'certificate':
      return certificateClientOptions(f);
  }
}
