// Keeps a switched credential across a restart: the certificate chain and the private key replace the
// files the node was configured with (written to a temporary file of mode 0600, then renamed, so a
// crash never leaves half a key), and the trust anchors go to a file beside the node's data, read
// again at start (`persistedTrustAnchors`).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { CertificateCredential } from './credential.js';
import { pemBlocks } from './credential.js';

function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
}

export function persistCredentialFiles(o: { cert: string; key: string; trustAnchors: string }) {
  return (c: CertificateCredential): void => {
    writeAtomic(o.key, c.key);
    writeAtomic(o.cert, c.chain);
    writeAtomic(o.trustAnchors, c.trustAnchors.join('\n'));
  };
}

/** Trust anchors a previous run installed (none when the file does not exist). */
export function persistedTrustAnchors(path: string): string[] {
  return existsSync(path) ? pemBlocks(readFileSync(path, 'utf8')) : [];
}
