// The AE's ESCertKE key (TS-0003 8.7, used as pairwiseESPrimKey per 8.4.2 A) kept across the AE's own
// restarts in its Secure Environment: a software keystore encrypted at rest under a 32-byte KEK file
// (docs/hardening.md), one credential per Target <CSEBase>. Without it the AE runs ESCertKE again after
// every restart. The key is never logged and never written outside the keystore.
import { existsSync } from 'node:fs';
import {
  checkSecretFileMode,
  createKeyFile,
  openSoftwareSecureEnvironment,
  type SecureEnvironment,
} from '@m2msec/secure-environment';

export interface EscertkeKeystoreOptions {
  /** Keystore file (created on first use). */
  path: string;
  /** KEK file, 32 bytes, 0600; created when absent. */
  keyFile: string;
}

export interface StoredE2EKey {
  kid: string;
  key: Buffer;
}

export class EscertkeKeystore {
  private se: Promise<SecureEnvironment> | undefined;

  constructor(private readonly o: EscertkeKeystoreOptions) {}

  private open(): Promise<SecureEnvironment> {
    this.se ??= (async () => {
      if (!existsSync(this.o.keyFile)) createKeyFile(this.o.keyFile);
      checkSecretFileMode(this.o.keyFile, 'ESCertKE keystore KEK (endToEnd.esprim.escertke.keystore.keyFile)');
      return openSoftwareSecureEnvironment({ path: this.o.path, keyFile: this.o.keyFile });
    })();
    return this.se;
  }

  private static label(targetCseBase: string): string {
    return `escertke/${encodeURIComponent(targetCseBase)}`;
  }

  async load(targetCseBase: string): Promise<StoredE2EKey | undefined> {
    const bytes = await (await this.open()).readCredential(EscertkeKeystore.label(targetCseBase));
    if (!bytes) return undefined;
    const r = JSON.parse(Buffer.from(bytes).toString('utf8')) as { kid?: unknown; key?: unknown };
    if (typeof r.kid !== 'string' || typeof r.key !== 'string')
      throw new Error(`the stored ESCertKE key for ${targetCseBase} is malformed`);
    return { kid: r.kid, key: Buffer.from(r.key, 'base64') };
  }

  /** Written before the key is first used, so a key the Target holds is one the AE still has after a restart. */
  async save(targetCseBase: string, k: StoredE2EKey): Promise<void> {
    const bytes = Buffer.from(JSON.stringify({ kid: k.kid, key: k.key.toString('base64') }), 'utf8');
    try {
      await (await this.open()).writeCredential(EscertkeKeystore.label(targetCseBase), bytes);
    } finally {
      bytes.fill(0);
    }
  }

  async forget(targetCseBase: string): Promise<void> {
    await (await this.open()).deleteCredential(EscertkeKeystore.label(targetCseBase));
  }

  async close(): Promise<void> {
    const se = this.se;
    this.se = undefined;
    if (se) await (await se.catch(() => undefined))?.close();
  }
}
