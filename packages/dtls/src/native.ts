// Lazy loader of the DTLS addon (native/dtls.c). Nothing imports the addon at module load: the first
// DTLS context asks for it, so a machine without libssl3 runs everything else and only a CoAP/DTLS
// listener refuses to start, with a message naming the package to install.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Opaque handles owned by the addon (freed by close() or by the garbage collector). */
export type NativeContext = { readonly __brand: 'DtlsContext' };
export type NativeConnection = { readonly __brand: 'DtlsConnection' };

/** What one call into the addon produced: datagrams to send and the connection's state. */
export interface NativeResult {
  out: Buffer[];
  /** 0 handshaking, 1 established, 2 failed or closed, 3 cookie sent, 4 cookie verified. */
  state: 0 | 1 | 2 | 3 | 4;
  error?: string;
  alertSent?: string;
  alertReceived?: string;
  /** Milliseconds until the DTLS retransmission timer fires; -1 when none runs. */
  timeoutMs?: number;
  app?: Buffer[];
}

export interface NativeContextOptions {
  server: boolean;
  ciphers: string;
  mtu?: number;
  psk?: (identity: Buffer) => Buffer | undefined;
  pskIdentity?: Buffer;
  pskKey?: Buffer;
  certPem?: string;
  keyPem?: string;
  caPem?: string;
  requestCert?: boolean;
  requireCert?: boolean;
  /** Returns undefined to accept, or the alert to fail with ('bad_certificate', 'unknown_ca', ...). */
  verify?: (ders: Buffer[], chainError: number) => string | undefined;
}

export interface DtlsNative {
  createContext(opts: NativeContextOptions): NativeContext;
  newConnection(ctx: NativeContext, peer: Buffer): NativeConnection;
  listen(conn: NativeConnection, datagram: Buffer): NativeResult;
  feed(conn: NativeConnection, datagram: Buffer | null): NativeResult;
  timeout(conn: NativeConnection): NativeResult;
  write(conn: NativeConnection, data: Buffer): Buffer[];
  close(conn: NativeConnection): Buffer[];
  peer(conn: NativeConnection): { pskIdentity?: Buffer; certificate?: Buffer; cipher: string; version: string };
  connect(conn: NativeConnection): NativeResult;
  exportKeyingMaterial(conn: NativeConnection, length: number, label: string, context?: Buffer): Buffer;
  openSslVersion(): string;
}

/** DTLS cannot run here; the message names what to install. */
export class DtlsUnavailableError extends Error {
  override readonly name = 'DtlsUnavailableError';
}

let loaded: DtlsNative | undefined;
let failure: DtlsUnavailableError | undefined;

function addonPath(): string {
  const here = dirname(fileURLToPath(import.meta.url)); // src/ or dist/
  return join(here, '..', 'build', 'm2msec_dtls.node');
}

/** Loads the addon on first use; throws DtlsUnavailableError when it or libssl3 is missing. */
export function loadDtls(): DtlsNative {
  if (loaded !== undefined) return loaded;
  if (failure !== undefined) throw failure;
  const path = process.env.M2MSEC_DTLS_ADDON ?? addonPath();
  if (!existsSync(path)) {
    failure = new DtlsUnavailableError(
      'DTLS is unavailable: the @m2msec/dtls addon was not built (it needs the Debian packages libssl-dev to build ' +
        'and libssl3 to run; install them and rebuild @m2msec/dtls)',
    );
    throw failure;
  }
  try {
    loaded = createRequire(import.meta.url)(path) as DtlsNative;
    return loaded;
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    failure = new DtlsUnavailableError(
      `DTLS is unavailable: the OpenSSL library could not be loaded (install the Debian package libssl3): ${reason}`,
    );
    throw failure;
  }
}

/** True when DTLS can run on this machine. */
export function dtlsAvailable(): boolean {
  try {
    loadDtls();
    return true;
  } catch {
    return false;
  }
}
