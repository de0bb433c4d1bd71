import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { seError } from '../errors.js';
import { writeFileAtomic } from '../lib/atomic-write.js';
import type { Auditor } from '../lib/audit.js';
import { asBuffer, concatBytes, equalConstantTime, toBase64url, utf8Nfkc, zeroise } from '../lib/bytes.js';
import { Serial } from '../lib/serial.js';
import { checkBytes, checkCredentialLabel, checkUsages, newKeyMeta, refId, requireUsage } from '../lib/validate.js';
import { attestationKeyUse } from '../provisioning/attestation-key.js';
import { StagedProvisioningSession } from '../provisioning/session.js';
import { encodeTranscript } from '../provisioning/transcript.js';
import type {
  AeadCiphertext,
  DeriveKeySpec,
  DeriveParams,
  GenerateKeySpec,
  ImportKeySpec,
  KeyHandle,
  KeyRef,
  MacAlgorithm,
  ProvisioningAttestation,
  ProvisioningOperation,
  ProvisioningSession,
  SecureEnvironment,
  SecureEnvironmentDescription,
  SecureEnvironmentLogger,
} from '../types.js';
import type { KekDerivation } from './kek.js';
import { type KeystoreContent, sealKeystore } from './keystore-file.js';

interface SoftKey {
  meta: KeyHandle;
  /** AES / HMAC key. */
  secret?: KeyObject;
  /** EC-P256 pair. */
  privateKey?: KeyObject;
  publicKey?: KeyObject;
}

interface SoftState {
  keys: Map<string, SoftKey>;
  credentials: Map<string, Buffer>;
}

const kwIv = Buffer.from('a6a6a6a6a6a6a6a6', 'hex'); // RFC 3394 default initial value

export interface SoftwareSeContext {
  path: string;
  kdf: KekDerivation;
  kek: KeyObject;
  auditor: Auditor;
  logger?: SecureEnvironmentLogger;
  now: () => number;
  aesCmac?: (key: Uint8Array, data: Uint8Array) => Uint8Array;
}

/**
 * Software SE: keys as node:crypto KeyObjects in process memory, the keystore file encrypted at
 * rest (AES-256-GCM under the KEK) and replaced atomically on every change.
 */
export class SoftwareSecureEnvironment implements SecureEnvironment {
  readonly kind = 'software' as const;
  private state: SoftState;
  private readonly serial = new Serial();
  private closed = false;

  constructor(
    private readonly ctx: SoftwareSeContext,
    content: KeystoreContent,
  ) {
    this.state = { keys: new Map(), credentials: new Map() };
    for (const k of content.keys) {
      this.state.keys.set(k.meta.id, materialise(k.meta, k.material));
      zeroise(k.material);
    }
    for (const c of content.credentials) this.state.credentials.set(c.label, c.value);
  }

  async describe(): Promise<SecureEnvironmentDescription> {
    return {
      kind: 'software',
      protectionLevel: 1,
      protectionReason:
        'software SE on general-purpose hardware: keys are encrypted at rest under a scrypt/key-file KEK (passive observers see ciphertext), but live in process memory, exposed to active local attacks (TS-0003 Table 6.3.1-1 level 1)',
      capabilities: {
        algorithms: ['AES', 'HMAC', 'EC-P256'],
        macAlgorithms: this.ctx.aesCmac ? ['HMAC-SHA-256', 'AES-CMAC'] : ['HMAC-SHA-256'],
        wrapAlgorithms: ['AES-KW'],
        provisioningSessions: true,
      },
    };
  }

  // ---- key lifecycle -------------------------------------------------------------------------

  generateKey(spec: GenerateKeySpec): Promise<KeyHandle> {
    return this.ctx.auditor.run('generate-key', { keyId: spec?.id }, () =>
      this.mutate((draft) => {
        const k = generateSoftKey(spec, this.ctx.now());
        putNew(draft, k);
        return k.meta;
      }),
    );
  }

  importKey(spec: ImportKeySpec, material: Uint8Array): Promise<KeyHandle> {
    return this.ctx.auditor.run('import-key', { keyId: spec?.id }, () => {
      checkBytes('key material', material, 1, 4096);
      return this.mutate((draft) => {
        const k = importSoftKey(spec, material, this.ctx.now());
        putNew(draft, k);
        return k.meta;
      });
    });
  }

  unwrapKey(kek: KeyRef, wrapped: Uint8Array, spec: ImportKeySpec): Promise<KeyHandle> {
    return this.ctx.auditor.run('unwrap-key', { keyId: spec?.id }, async () => {
      checkBytes('wrapped key', wrapped, 24, 4096 + 8);
      const w = this.useKey(kek, 'wrap');
      if (spec?.algorithm === 'EC-P256') throw seError('UNSUPPORTED', 'AES-KW unwrap is for AES and HMAC keys');
      let raw: Buffer;
      try {
        const d = createDecipheriv(`id-aes${w.meta.length * 8}-wrap`, w.secret!, kwIv);
        raw = Buffer.concat([d.update(wrapped), d.final()]);
      } catch {
        throw seError(
          'AUTHENTICATION_FAILED',
          `AES-KW unwrap under '${w.meta.id}' failed its integrity check (wrong KEK or altered data)`,
        );
      }
      try {
        return await this.mutate((draft) => {
          const k = importSoftKey(spec, raw, this.ctx.now());
          putNew(draft, k);
          return k.meta;
        });
      } finally {
        zeroise(raw);
      }
    });
  }

  wrapKey(kek: KeyRef, key: KeyRef): Promise<Uint8Array> {
    const keyId = refIdSafe(key);
    return this.ctx.auditor.run('wrap-key', { keyId }, () => {
      const w = this.useKey(kek, 'wrap');
      const k = this.getSoft(key);
      if (!k.secret)
        throw seError('UNSUPPORTED', `key '${k.meta.id}' is ${k.meta.algorithm}; AES-KW wraps AES and HMAC keys`);
      if (!k.meta.exportable) throw seError('USAGE_NOT_PERMITTED', `key '${k.meta.id}' was not created exportable`);
      if (k.meta.length % 8 !== 0)
        throw seError('UNSUPPORTED', `AES-KW needs a key length that is a multiple of 8 bytes`);
      const raw = k.secret.export();
      try {
        const c = createCipheriv(`id-aes${w.meta.length * 8}-wrap`, w.secret!, kwIv);
        return new Uint8Array(Buffer.concat([c.update(raw), c.final()]));
      } finally {
        zeroise(raw);
      }
    });
  }

  deriveKey(base: KeyRef, params: DeriveParams, spec: DeriveKeySpec): Promise<KeyHandle> {
    return this.ctx.auditor.run('derive-key', { keyId: spec?.id }, async () => {
      const b = this.useKey(base, 'derive');
      if (spec?.algorithm !== 'HMAC' && spec?.algorithm !== 'AES')
        throw seError('INVALID_INPUT', 'a derived key is HMAC or AES');
      const okm = createHmac('sha256', b.secret!)
        .update(concatBytes(utf8Nfkc(params.label), utf8Nfkc(params.context)))
        .digest();
      try {
        return await this.mutate((draft) => {
          const k = importSoftKey(spec, okm, this.ctx.now());
          putNew(draft, k);
          return k.meta;
        });
      } finally {
        zeroise(okm);
      }
    });
  }

  async getKey(id: string): Promise<KeyHandle | undefined> {
    this.requireOpen();
    return this.state.keys.get(refId(id))?.meta;
  }

  async listKeys(): Promise<KeyHandle[]> {
    this.requireOpen();
    return [...this.state.keys.values()].map((k) => k.meta);
  }

  deleteKey(key: KeyRef): Promise<void> {
    const keyId = refIdSafe(key);
    return this.ctx.auditor.run('delete-key', { keyId }, () =>
      this.mutate((draft) => {
        const id = refId(key);
        if (!draft.keys.delete(id)) throw seError('KEY_NOT_FOUND', `no key '${id}' in this secure environment`);
      }),
    );
  }

  exportPskForTls(key: KeyRef): Promise<Uint8Array> {
    return this.ctx.auditor.run('export-psk-for-tls', { keyId: refIdSafe(key) }, () => {
      const k = this.useKey(key, 'tls-psk');
      return new Uint8Array(k.secret!.export());
    });
  }

  // ---- operations ----------------------------------------------------------------------------

  async mac(key: KeyRef, data: Uint8Array, algorithm: MacAlgorithm = 'HMAC-SHA-256'): Promise<Uint8Array> {
    return this.ctx.auditor.runSync('mac', { keyId: refIdSafe(key) }, () => this.macSync(key, data, algorithm));
  }

  async verifyMac(
    key: KeyRef,
    data: Uint8Array,
    tag: Uint8Array,
    algorithm: MacAlgorithm = 'HMAC-SHA-256',
  ): Promise<boolean> {
    return this.ctx.auditor.runSync('verify-mac', { keyId: refIdSafe(key) }, () => {
      checkBytes('tag', tag, 0, 64);
      return equalConstantTime(this.macSync(key, data, algorithm), tag);
    });
  }

  private macSync(key: KeyRef, data: Uint8Array, algorithm: MacAlgorithm): Uint8Array {
    checkBytes('data', data);
    const k = this.useKey(key, 'mac');
    if (algorithm === 'HMAC-SHA-256') {
      if (k.meta.algorithm !== 'HMAC')
        throw seError('INVALID_INPUT', `HMAC-SHA-256 needs an HMAC key; '${k.meta.id}' is ${k.meta.algorithm}`);
      return createHmac('sha256', k.secret!).update(data).digest();
    }
    if (algorithm === 'AES-CMAC') {
      if (k.meta.algorithm !== 'AES')
        throw seError('INVALID_INPUT', `AES-CMAC needs an AES key; '${k.meta.id}' is ${k.meta.algorithm}`);
      if (!this.ctx.aesCmac) throw seError('UNSUPPORTED', 'AES-CMAC is not available in this software SE');
      const raw = k.secret!.export();
      try {
        return this.ctx.aesCmac(raw, data);
      } finally {
        zeroise(raw);
      }
    }
    throw seError('INVALID_INPUT', `unknown MAC algorithm '${String(algorithm)}'`);
  }

  async sign(key: KeyRef, data: Uint8Array): Promise<Uint8Array> {
    return this.ctx.auditor.runSync('sign', { keyId: refIdSafe(key) }, () => {
      checkBytes('data', data);
      const k = this.useKey(key, 'sign');
      return nodeSign('sha256', data, { key: k.privateKey!, dsaEncoding: 'ieee-p1363' });
    });
  }

  async verify(key: KeyRef, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return this.ctx.auditor.runSync('verify', { keyId: refIdSafe(key) }, () => {
      checkBytes('data', data);
      checkBytes('signature', signature, 0, 256);
      const k = this.getSoft(key);
      if (!k.publicKey) throw seError('INVALID_INPUT', `key '${k.meta.id}' is not an EC key`);
      if (signature.byteLength !== 64) return false;
      return nodeVerify('sha256', data, { key: k.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
    });
  }

  async getPublicKey(key: KeyRef): Promise<Uint8Array> {
    return this.ctx.auditor.runSync('get-public-key', { keyId: refIdSafe(key) }, () => {
      const k = this.getSoft(key);
      if (!k.publicKey) throw seError('INVALID_INPUT', `key '${k.meta.id}' is not an EC key`);
      return new Uint8Array(k.publicKey.export({ format: 'der', type: 'spki' }));
    });
  }

  async encrypt(key: KeyRef, plaintext: Uint8Array, aad?: Uint8Array): Promise<AeadCiphertext> {
    return this.ctx.auditor.runSync('encrypt', { keyId: refIdSafe(key) }, () => {
      checkBytes('plaintext', plaintext);
      if (aad !== undefined) checkBytes('aad', aad);
      const k = this.useKey(key, 'encrypt');
      const iv = randomBytes(12);
      const c = createCipheriv(`aes-${k.meta.length * 8}-gcm` as 'aes-256-gcm', k.secret!, iv);
      if (aad) c.setAAD(aad);
      const ciphertext = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
      return { iv: new Uint8Array(iv), ciphertext: new Uint8Array(ciphertext) };
    });
  }

  async decrypt(key: KeyRef, sealed: AeadCiphertext, aad?: Uint8Array): Promise<Uint8Array> {
    return this.ctx.auditor.runSync('decrypt', { keyId: refIdSafe(key) }, () => {
      checkBytes('iv', sealed?.iv, 12, 12);
      checkBytes('ciphertext', sealed.ciphertext, 16);
      if (aad !== undefined) checkBytes('aad', aad);
      const k = this.useKey(key, 'encrypt');
      const ct = asBuffer(sealed.ciphertext);
      try {
        const d = createDecipheriv(`aes-${k.meta.length * 8}-gcm` as 'aes-256-gcm', k.secret!, sealed.iv);
        if (aad) d.setAAD(aad);
        d.setAuthTag(ct.subarray(ct.byteLength - 16));
        return new Uint8Array(Buffer.concat([d.update(ct.subarray(0, ct.byteLength - 16)), d.final()]));
      } catch {
        throw seError(
          'AUTHENTICATION_FAILED',
          `AES-GCM decryption with '${k.meta.id}' failed authentication (wrong key, IV or AAD, or altered ciphertext)`,
        );
      }
    });
  }

  async random(length: number): Promise<Uint8Array> {
    this.requireOpen();
    if (!Number.isInteger(length) || length < 1 || length > 65536)
      throw seError('INVALID_INPUT', 'random length must be 1-65536 bytes');
    return new Uint8Array(randomBytes(length));
  }

  // ---- credentials ---------------------------------------------------------------------------

  writeCredential(label: string, value: Uint8Array): Promise<void> {
    return this.ctx.auditor.run('write-credential', { credentialLabel: label }, () => {
      checkCredentialLabel(label);
      checkBytes('credential value', value, 0, 1024 * 1024);
      const copy = Buffer.from(value);
      return this.mutate((draft) => {
        draft.credentials.set(label, copy);
      });
    });
  }

  readCredential(label: string): Promise<Uint8Array | undefined> {
    return this.ctx.auditor.run('read-credential', { credentialLabel: label }, () => {
      this.requireOpen();
      checkCredentialLabel(label);
      const v = this.state.credentials.get(label);
      return v ? new Uint8Array(v) : undefined;
    });
  }

  deleteCredential(label: string): Promise<boolean> {
    return this.ctx.auditor.run('delete-credential', { credentialLabel: label }, () => {
      checkCredentialLabel(label);
      return this.mutate((draft) => draft.credentials.delete(label));
    });
  }

  async listCredentials(): Promise<string[]> {
    this.requireOpen();
    return [...this.state.credentials.keys()];
  }

  // ---- provisioning (all-or-nothing, TS-0003 8.3 / DESIGN section 3) --------------------------

  async beginProvisioning(issuer: string, sessionKey: KeyRef): Promise<ProvisioningSession> {
    this.requireOpen();
    if (typeof issuer !== 'string' || issuer.length === 0 || issuer.length > 255)
      throw seError('INVALID_INPUT', 'issuer must be 1-255 characters');
    const k = this.useKey(sessionKey, attestationKeyUse(this.getSoft(sessionKey).meta).usage);
    const session = new StagedProvisioningSession(
      issuer,
      k.meta.id,
      (s, ops, nonce) => this.commitProvisioning(s, ops, nonce),
      this.ctx.auditor,
    );
    this.ctx.auditor.record('provisioning-begin', { sessionId: session.id, keyId: k.meta.id }, 'success');
    return session;
  }

  private commitProvisioning(
    session: { id: string; issuer: string; sessionKeyId: string },
    ops: readonly ProvisioningOperation[],
    nonce: Uint8Array,
  ): Promise<ProvisioningAttestation> {
    return this.mutate((draft) => {
      const sessionKey = this.state.keys.get(session.sessionKeyId);
      const use = sessionKey && attestationKeyUse(sessionKey.meta);
      if (
        !sessionKey ||
        !use ||
        !sessionKey.meta.usages.includes(use.usage) ||
        !(sessionKey.secret || sessionKey.privateKey)
      ) {
        throw seError(
          'KEY_NOT_FOUND',
          `provisioning session key '${session.sessionKeyId}' is gone or no longer an attestation key`,
        );
      }
      const publicKeys: Record<string, Uint8Array> = {};
      const now = this.ctx.now();
      for (const op of ops) {
        switch (op.op) {
          case 'generate-key': {
            const k = generateSoftKey(op.spec, now);
            putNew(draft, k);
            if (k.publicKey) publicKeys[k.meta.id] = k.publicKey.export({ format: 'der', type: 'spki' });
            break;
          }
          case 'import-key':
            putNew(draft, importSoftKey(op.spec, op.material, now));
            break;
          case 'delete-key':
            if (!draft.keys.delete(op.id))
              throw seError('KEY_NOT_FOUND', `provisioning deletes key '${op.id}', which does not exist`);
            break;
          case 'update-key': {
            const k = draft.keys.get(op.id);
            if (!k) throw seError('KEY_NOT_FOUND', `provisioning updates key '${op.id}', which does not exist`);
            const usages = op.usages ? checkUsages(k.meta.algorithm, op.usages) : k.meta.usages;
            draft.keys.set(op.id, {
              ...k,
              meta: Object.freeze({ ...k.meta, label: op.label ?? k.meta.label, usages: Object.freeze([...usages]) }),
            });
            break;
          }
          case 'write-credential':
            draft.credentials.set(op.label, Buffer.from(op.value));
            break;
          case 'delete-credential':
            if (!draft.credentials.delete(op.label))
              throw seError('KEY_NOT_FOUND', `provisioning deletes credential '${op.label}', which does not exist`);
            break;
        }
      }
      const transcript = encodeTranscript(session.issuer, session.id, ops, publicKeys, nonce);
      const mac =
        use.algorithm === 'ECDSA-P256-SHA256'
          ? nodeSign('sha256', transcript, { key: sessionKey.privateKey!, dsaEncoding: 'ieee-p1363' })
          : createHmac('sha256', sessionKey.secret!).update(transcript).digest();
      const attestation: ProvisioningAttestation = {
        version: 1,
        algorithm: use.algorithm,
        issuer: session.issuer,
        sessionId: session.id,
        nonce: toBase64url(nonce),
        operationCount: ops.length,
        publicKeys: Object.fromEntries(Object.entries(publicKeys).map(([id, spki]) => [id, toBase64url(spki)])),
        mac: toBase64url(mac),
      };
      return attestation;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.serial.run(() => undefined);
    this.closed = true;
    for (const c of this.state.credentials.values()) zeroise(c);
    this.state = { keys: new Map(), credentials: new Map() };
  }

  // ---- internals -----------------------------------------------------------------------------

  private requireOpen(): void {
    if (this.closed) throw seError('CLOSED', 'this secure environment is closed');
  }

  private getSoft(ref: KeyRef): SoftKey {
    this.requireOpen();
    const id = refId(ref);
    const k = this.state.keys.get(id);
    if (!k) throw seError('KEY_NOT_FOUND', `no key '${id}' in this secure environment`);
    return k;
  }

  private useKey(ref: KeyRef, usage: Parameters<typeof requireUsage>[1]): SoftKey {
    const k = this.getSoft(ref);
    requireUsage(k.meta, usage);
    return k;
  }

  /**
   * Apply a change to a copy of the state, write the whole keystore atomically, then swap the
   * copy in. A failure at any step leaves memory and file as they were.
   */
  private mutate<T>(change: (draft: SoftState) => T): Promise<T> {
    return this.serial.run(() => {
      this.requireOpen();
      const draft: SoftState = { keys: new Map(this.state.keys), credentials: new Map(this.state.credentials) };
      const result = change(draft);
      this.persist(draft);
      this.state = draft;
      return result;
    });
  }

  private persist(state: SoftState): void {
    const content: KeystoreContent = {
      keys: [...state.keys.values()].map((k) => ({
        meta: k.meta,
        material: k.secret ? k.secret.export() : k.privateKey!.export({ format: 'der', type: 'pkcs8' }),
      })),
      credentials: [...state.credentials].map(([label, value]) => ({ label, value })),
    };
    try {
      writeFileAtomic(this.ctx.path, sealKeystore(content, this.ctx.kdf, this.ctx.kek));
    } catch (err) {
      if (err instanceof Error && 'code' in err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        throw seError('BACKEND_FAILURE', `cannot write the keystore file: ${(err as NodeJS.ErrnoException).code}`);
      }
      throw err;
    } finally {
      for (const k of content.keys) zeroise(k.material);
    }
  }
}

function refIdSafe(ref: KeyRef): string | undefined {
  const id = typeof ref === 'string' ? ref : ref?.id;
  return typeof id === 'string' ? id.slice(0, 255) : undefined;
}

function putNew(draft: SoftState, k: SoftKey): void {
  if (draft.keys.has(k.meta.id)) throw seError('KEY_EXISTS', `a key '${k.meta.id}' already exists`);
  draft.keys.set(k.meta.id, k);
}

function generateSoftKey(spec: GenerateKeySpec, now: number): SoftKey {
  if (spec?.algorithm === 'EC-P256') {
    const meta = newKeyMeta('EC-P256', 32, spec, randomUUID, now);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { meta, privateKey, publicKey };
  }
  const length = spec?.algorithm === 'HMAC' ? (spec.length ?? 32) : (spec as { length: number })?.length;
  const meta = newKeyMeta(spec?.algorithm, length, spec, randomUUID, now);
  const raw = randomBytes(meta.length);
  try {
    return { meta, secret: createSecretKey(raw) };
  } finally {
    zeroise(raw);
  }
}

function importSoftKey(spec: ImportKeySpec, material: Uint8Array, now: number): SoftKey {
  if (spec?.algorithm === 'EC-P256') {
    const meta = newKeyMeta('EC-P256', 32, spec, randomUUID, now);
    return materialise(meta, asBuffer(material));
  }
  const meta = newKeyMeta(spec?.algorithm, material.byteLength, spec, randomUUID, now);
  return materialise(meta, asBuffer(material));
}

/** Build the KeyObjects for stored material (raw symmetric bytes or EC PKCS#8 DER). */
function materialise(meta: KeyHandle, material: Buffer): SoftKey {
  if (meta.algorithm !== 'EC-P256') return { meta, secret: createSecretKey(material) };
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
  } catch {
    throw seError('INVALID_INPUT', 'EC-P256 key material must be a PKCS#8 DER private key');
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw seError('INVALID_INPUT', 'EC-P256 key material must be a P-256 (prime256v1) private key');
  }
  return { meta, privateKey, publicKey: createPublicKey(privateKey) };
}

export function readKeystoreBytes(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw seError(
      'KEYSTORE_UNREADABLE',
      `cannot read the keystore file: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}
