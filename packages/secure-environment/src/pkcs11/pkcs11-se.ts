import {
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  verify as nodeVerify,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { SecureEnvironmentError, seError } from '../errors.js';
import type { Auditor } from '../lib/audit.js';
import { asBuffer, concatBytes, equalConstantTime, toBase64url, utf8Nfkc, zeroise } from '../lib/bytes.js';
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
  KeyUsage,
  MacAlgorithm,
  ProtectionLevel,
  ProvisioningAttestation,
  ProvisioningOperation,
  ProvisioningSession,
  SecureEnvironment,
  SecureEnvironmentDescription,
  SecureEnvironmentLogger,
} from '../types.js';
import { pkcs11js, releaseModule } from './library.js';
import {
  CREDENTIAL_APPLICATION,
  type CredentialObjectMeta,
  ecPointFromSpki,
  JOURNAL_APPLICATION,
  type Journal,
  type KeyObjectMeta,
  listTokenObjects,
  P256_PARAMS,
  spkiFromEcPoint,
} from './objects.js';
import { applyJournal, recoverToken } from './recover.js';

const P = pkcs11js;
const CKF_HW_SLOT = 0x4; // PKCS#11 slot flag: a hardware slot
type Template = pkcs11js.Template;

interface P11Key {
  meta: KeyHandle;
  uid: string;
  /** Secret key or EC private key object. */
  handle: Buffer;
  /** EC public key object. */
  publicHandle?: Buffer;
  publicKey?: KeyObject;
}

interface P11Credential {
  uid: string;
  handle: Buffer;
  seq: number;
}

export interface Pkcs11Context {
  module: pkcs11js.PKCS11;
  slot: Buffer;
  session: Buffer;
  auditor: Auditor;
  logger?: SecureEnvironmentLogger;
  now: () => number;
}

const toMeta = (h: KeyHandle, pending?: string): KeyObjectMeta => ({
  m2msec: 1,
  kind: 'key',
  id: h.id,
  alg: h.algorithm,
  len: h.length,
  label: h.label,
  usages: [...h.usages],
  exp: h.exportable,
  created: h.createdAt,
  ...(pending ? { pending } : {}),
});

const fromMeta = (m: KeyObjectMeta): KeyHandle =>
  Object.freeze({
    id: m.id,
    algorithm: m.alg,
    length: m.len,
    label: m.label,
    usages: Object.freeze([...m.usages] as KeyUsage[]),
    exportable: m.exp,
    createdAt: m.created,
  });

/** Translate token failures into SE errors; a PKCS#11 message holds function and CKR name only. */
function backend<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SecureEnvironmentError) throw err;
    throw seError('BACKEND_FAILURE', `PKCS#11 ${what} failed: ${(err as Error).message}`);
  }
}

/**
 * PKCS#11 SE: keys live in the token as sensitive objects; the SE keeps an index of handles and
 * its metadata (JSON in CKA_LABEL). Every call is synchronous on one R/W session.
 */
export class Pkcs11SecureEnvironment implements SecureEnvironment {
  readonly kind = 'pkcs11' as const;
  private keys = new Map<string, P11Key>();
  private credentials = new Map<string, P11Credential>();
  private closed = false;
  private seq = 0;

  constructor(private readonly ctx: Pkcs11Context) {
    recoverToken(ctx.module, ctx.session, ctx.auditor, ctx.logger);
    this.reindex();
  }

  private get m() {
    return this.ctx.module;
  }
  private get s() {
    return this.ctx.session;
  }

  /** Rebuild the in-memory index from the token (committed objects only). */
  private reindex(): void {
    const keys = new Map<string, P11Key>();
    const credentials = new Map<string, P11Credential>();
    for (const o of listTokenObjects(this.m, this.s)) {
      const meta = o.meta;
      if (!meta || meta.pending) continue;
      if (meta.kind === 'credential') {
        credentials.set(meta.label, { uid: o.uid, handle: o.handle, seq: meta.seq });
        this.seq = Math.max(this.seq, meta.seq);
        continue;
      }
      const k = keys.get(meta.id) ?? { meta: fromMeta(meta), uid: o.uid, handle: o.handle };
      if (o.cls === P.CKO_PUBLIC_KEY) {
        k.publicHandle = o.handle;
        const [point] = this.m.C_GetAttributeValue(this.s, o.handle, [{ type: P.CKA_EC_POINT }]);
        k.publicKey = createPublicKey({ key: spkiFromEcPoint(point!.value as Buffer), format: 'der', type: 'spki' });
      } else {
        k.handle = o.handle;
      }
      keys.set(meta.id, k);
    }
    this.keys = keys;
    this.credentials = credentials;
  }

  async describe(): Promise<SecureEnvironmentDescription> {
    this.requireOpen();
    const slotInfo = this.m.C_GetSlotInfo(this.ctx.slot);
    const token = this.m.C_GetTokenInfo(this.ctx.slot);
    const hardwareSlot = (slotInfo.flags & CKF_HW_SLOT) !== 0;
    const level: ProtectionLevel = hardwareSlot ? 3 : 1;
    return {
      kind: 'pkcs11',
      protectionLevel: level,
      protectionReason: hardwareSlot
        ? 'hardware PKCS#11 token: keys are generated and used inside the device as sensitive, non-extractable objects (TS-0003 Table 6.3.1-1 level 3, as claimed by the token)'
        : `software PKCS#11 token (${token.manufacturerID.trim()} ${token.model.trim()}): objects are encrypted at rest under the user PIN, but the token runs in this host's memory, exposed to active local attacks (TS-0003 Table 6.3.1-1 level 1)`,
      capabilities: {
        algorithms: ['AES', 'HMAC', 'EC-P256'],
        macAlgorithms: this.m.C_GetMechanismList(this.ctx.slot).includes(P.CKM_AES_CMAC)
          ? ['HMAC-SHA-256', 'AES-CMAC']
          : ['HMAC-SHA-256'],
        wrapAlgorithms: ['AES-KW'],
        provisioningSessions: true,
      },
      token: {
        manufacturer: token.manufacturerID.trim(),
        model: token.model.trim(),
        label: token.label.trim(),
        hardwareSlot,
      },
    };
  }

  // ---- object templates ----------------------------------------------------------------------

  private secretTemplate(h: KeyHandle, uid: Buffer, pending?: string, token = true): Template {
    const u = h.usages;
    return [
      { type: P.CKA_CLASS, value: P.CKO_SECRET_KEY },
      { type: P.CKA_KEY_TYPE, value: h.algorithm === 'AES' ? P.CKK_AES : P.CKK_GENERIC_SECRET },
      { type: P.CKA_TOKEN, value: token },
      { type: P.CKA_PRIVATE, value: true },
      { type: P.CKA_SENSITIVE, value: true },
      // tls-psk keys leave the token only wrapped under an ephemeral key (exportPskForTls)
      { type: P.CKA_EXTRACTABLE, value: h.exportable || u.includes('tls-psk') },
      { type: P.CKA_ID, value: uid },
      { type: P.CKA_LABEL, value: JSON.stringify(toMeta(h, pending)) },
      { type: P.CKA_ENCRYPT, value: u.includes('encrypt') },
      { type: P.CKA_DECRYPT, value: u.includes('encrypt') },
      { type: P.CKA_WRAP, value: u.includes('wrap') },
      { type: P.CKA_UNWRAP, value: u.includes('wrap') },
      // derivation is HMAC-SHA-256 computed with C_Sign, so 'derive' needs CKA_SIGN
      { type: P.CKA_SIGN, value: u.includes('mac') || u.includes('derive') },
      { type: P.CKA_VERIFY, value: u.includes('mac') },
      { type: P.CKA_DERIVE, value: false },
    ];
  }

  private ecTemplates(h: KeyHandle, uid: Buffer, pending?: string): { pub: Template; priv: Template } {
    const label = JSON.stringify(toMeta(h, pending));
    return {
      pub: [
        { type: P.CKA_CLASS, value: P.CKO_PUBLIC_KEY },
        { type: P.CKA_KEY_TYPE, value: P.CKK_EC },
        { type: P.CKA_TOKEN, value: true },
        { type: P.CKA_PRIVATE, value: false },
        { type: P.CKA_EC_PARAMS, value: P256_PARAMS },
        { type: P.CKA_VERIFY, value: true },
        { type: P.CKA_ID, value: uid },
        { type: P.CKA_LABEL, value: label },
      ],
      priv: [
        { type: P.CKA_CLASS, value: P.CKO_PRIVATE_KEY },
        { type: P.CKA_KEY_TYPE, value: P.CKK_EC },
        { type: P.CKA_TOKEN, value: true },
        { type: P.CKA_PRIVATE, value: true },
        { type: P.CKA_SENSITIVE, value: true },
        { type: P.CKA_EXTRACTABLE, value: false },
        { type: P.CKA_SIGN, value: true },
        { type: P.CKA_ID, value: uid },
        { type: P.CKA_LABEL, value: label },
      ],
    };
  }

  /** Create key objects in the token (optionally as pending objects of a provisioning session). */
  private createKey(meta: KeyHandle, how: { generate: true } | { material: Buffer }, pending?: string): P11Key {
    const uidBytes = randomBytes(16);
    const uid = uidBytes.toString('hex');
    if (meta.algorithm === 'EC-P256') {
      const t = this.ecTemplates(meta, uidBytes, pending);
      if ('generate' in how) {
        const kp = backend('C_GenerateKeyPair', () =>
          this.m.C_GenerateKeyPair(this.s, { mechanism: P.CKM_EC_KEY_PAIR_GEN }, t.pub, t.priv),
        );
        const [point] = this.m.C_GetAttributeValue(this.s, kp.publicKey, [{ type: P.CKA_EC_POINT }]);
        const publicKey = createPublicKey({
          key: spkiFromEcPoint(point!.value as Buffer),
          format: 'der',
          type: 'spki',
        });
        return { meta, uid, handle: kp.privateKey, publicHandle: kp.publicKey, publicKey };
      }
      let priv: KeyObject;
      try {
        priv = createPrivateKey({ key: how.material, format: 'der', type: 'pkcs8' });
      } catch {
        throw seError('INVALID_INPUT', 'EC-P256 key material must be a PKCS#8 DER private key');
      }
      if (priv.asymmetricKeyType !== 'ec' || priv.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw seError('INVALID_INPUT', 'EC-P256 key material must be a P-256 (prime256v1) private key');
      }
      const publicKey = createPublicKey(priv);
      const d = Buffer.from(priv.export({ format: 'jwk' }).d!, 'base64url');
      try {
        const publicHandle = backend('C_CreateObject', () =>
          this.m.C_CreateObject(this.s, [
            ...t.pub,
            { type: P.CKA_EC_POINT, value: ecPointFromSpki(publicKey.export({ format: 'der', type: 'spki' })) },
          ]),
        );
        const handle = backend('C_CreateObject', () =>
          this.m.C_CreateObject(this.s, [
            ...t.priv,
            { type: P.CKA_EC_PARAMS, value: P256_PARAMS },
            { type: P.CKA_VALUE, value: d },
          ]),
        );
        return { meta, uid, handle, publicHandle, publicKey };
      } finally {
        zeroise(d);
      }
    }
    const t = this.secretTemplate(meta, uidBytes, pending);
    if ('generate' in how) {
      const mechanism = meta.algorithm === 'AES' ? P.CKM_AES_KEY_GEN : P.CKM_GENERIC_SECRET_KEY_GEN;
      const handle = backend('C_GenerateKey', () =>
        this.m.C_GenerateKey(this.s, { mechanism }, [...t, { type: P.CKA_VALUE_LEN, value: meta.length }]),
      );
      return { meta, uid, handle };
    }
    const handle = backend('C_CreateObject', () =>
      this.m.C_CreateObject(this.s, [...t, { type: P.CKA_VALUE, value: how.material }]),
    );
    return { meta, uid, handle };
  }

  private destroyKeyObjects(k: P11Key): void {
    backend('C_DestroyObject', () => {
      this.m.C_DestroyObject(this.s, k.handle);
      if (k.publicHandle) this.m.C_DestroyObject(this.s, k.publicHandle);
    });
  }

  private requireFree(id: string): void {
    if (this.keys.has(id)) throw seError('KEY_EXISTS', `a key '${id}' already exists`);
  }

  private newMeta(spec: GenerateKeySpec | ImportKeySpec, length: number): KeyHandle {
    return newKeyMeta(spec?.algorithm, length, spec ?? ({} as never), randomUUID, this.ctx.now());
  }

  // ---- key lifecycle -------------------------------------------------------------------------

  async generateKey(spec: GenerateKeySpec): Promise<KeyHandle> {
    return this.ctx.auditor.runSync('generate-key', { keyId: spec?.id }, () => {
      this.requireOpen();
      const length =
        spec?.algorithm === 'EC-P256'
          ? 32
          : spec?.algorithm === 'HMAC'
            ? (spec.length ?? 32)
            : (spec as { length: number })?.length;
      const meta = this.newMeta(spec, length);
      this.requireFree(meta.id);
      const k = this.createKey(meta, { generate: true });
      this.keys.set(meta.id, k);
      return meta;
    });
  }

  async importKey(spec: ImportKeySpec, material: Uint8Array): Promise<KeyHandle> {
    return this.ctx.auditor.runSync('import-key', { keyId: spec?.id }, () => {
      this.requireOpen();
      checkBytes('key material', material, 1, 4096);
      const meta = this.newMeta(spec, spec?.algorithm === 'EC-P256' ? 32 : material.byteLength);
      this.requireFree(meta.id);
      const k = this.createKey(meta, { material: asBuffer(material) });
      this.keys.set(meta.id, k);
      return meta;
    });
  }

  async unwrapKey(kek: KeyRef, wrapped: Uint8Array, spec: ImportKeySpec): Promise<KeyHandle> {
    return this.ctx.auditor.runSync('unwrap-key', { keyId: spec?.id }, () => {
      checkBytes('wrapped key', wrapped, 24, 4096 + 8);
      const w = this.useKey(kek, 'wrap');
      if (spec?.algorithm === 'EC-P256') throw seError('UNSUPPORTED', 'AES-KW unwrap is for AES and HMAC keys');
      const meta = this.newMeta(spec, wrapped.byteLength - 8);
      this.requireFree(meta.id);
      const uidBytes = randomBytes(16);
      const handle = (() => {
        try {
          return this.m.C_UnwrapKey(
            this.s,
            { mechanism: P.CKM_AES_KEY_WRAP },
            w.handle,
            asBuffer(wrapped),
            this.secretTemplate(meta, uidBytes),
          );
        } catch (err) {
          throw seError(
            'AUTHENTICATION_FAILED',
            `AES-KW unwrap under '${w.meta.id}' failed (${(err as Error).message.split(':')[0]}): wrong KEK or altered data`,
          );
        }
      })();
      const k: P11Key = { meta, uid: uidBytes.toString('hex'), handle };
      this.keys.set(meta.id, k);
      return meta;
    });
  }

  async wrapKey(kek: KeyRef, key: KeyRef): Promise<Uint8Array> {
    return this.ctx.auditor.runSync('wrap-key', { keyId: safeId(key) }, () => {
      const w = this.useKey(kek, 'wrap');
      const k = this.getP11(key);
      if (k.meta.algorithm === 'EC-P256')
        throw seError('UNSUPPORTED', `key '${k.meta.id}' is EC-P256; AES-KW wraps AES and HMAC keys`);
      if (!k.meta.exportable) throw seError('USAGE_NOT_PERMITTED', `key '${k.meta.id}' was not created exportable`);
      if (k.meta.length % 8 !== 0)
        throw seError('UNSUPPORTED', 'AES-KW needs a key length that is a multiple of 8 bytes');
      return new Uint8Array(
        backend('C_WrapKey', () =>
          this.m.C_WrapKey(
            this.s,
            { mechanism: P.CKM_AES_KEY_WRAP },
            w.handle,
            k.handle,
            Buffer.alloc(k.meta.length + 8),
          ),
        ),
      );
    });
  }

  /**
   * HMAC-SHA-256(base, label || context) by C_Sign in the token, imported back as a sensitive
   * object. SoftHSM2 has no HMAC-based KDF mechanism, so the 32 derived bytes pass through this
   * process's memory for a moment (zeroised right after C_CreateObject).
   */
  async deriveKey(base: KeyRef, params: DeriveParams, spec: DeriveKeySpec): Promise<KeyHandle> {
    return this.ctx.auditor.runSync('derive-key', { keyId: spec?.id }, () => {
      const b = this.useKey(base, 'derive');
      if (spec?.algorithm !== 'HMAC' && spec?.algorithm !== 'AES')
        throw seError('INVALID_INPUT', 'a derived key is HMAC or AES');
      const meta = this.newMeta(spec, 32);
      this.requireFree(meta.id);
      const okm = this.hmac(b, concatBytes(utf8Nfkc(params.label), utf8Nfkc(params.context)));
      try {
        const k = this.createKey(meta, { material: okm });
        this.keys.set(meta.id, k);
        return meta;
      } finally {
        zeroise(okm);
      }
    });
  }

  async getKey(id: string): Promise<KeyHandle | undefined> {
    this.requireOpen();
    return this.keys.get(refId(id))?.meta;
  }

  async listKeys(): Promise<KeyHandle[]> {
    this.requireOpen();
    return [...this.keys.values()].map((k) => k.meta);
  }

  async deleteKey(key: KeyRef): Promise<void> {
    return this.ctx.auditor.runSync('delete-key', { keyId: safeId(key) }, () => {
      const k = this.getP11(key);
      this.destroyKeyObjects(k);
      this.keys.delete(k.meta.id);
    });
  }

  /** C_WrapKey under an ephemeral session key, unwrapped here: the token never reveals CKA_VALUE. */
  async exportPskForTls(key: KeyRef): Promise<Uint8Array> {
    return this.ctx.auditor.runSync('export-psk-for-tls', { keyId: safeId(key) }, () => {
      const k = this.useKey(key, 'tls-psk');
      if (k.meta.length % 8 !== 0)
        throw seError('UNSUPPORTED', 'PSK export needs a key length that is a multiple of 8 bytes');
      const ephemeral = randomBytes(32);
      let kekHandle: Buffer | undefined;
      try {
        kekHandle = backend('C_CreateObject', () =>
          this.m.C_CreateObject(this.s, [
            { type: P.CKA_CLASS, value: P.CKO_SECRET_KEY },
            { type: P.CKA_KEY_TYPE, value: P.CKK_AES },
            { type: P.CKA_TOKEN, value: false },
            { type: P.CKA_WRAP, value: true },
            { type: P.CKA_VALUE, value: ephemeral },
          ]),
        );
        const wrapped = backend('C_WrapKey', () =>
          this.m.C_WrapKey(
            this.s,
            { mechanism: P.CKM_AES_KEY_WRAP },
            kekHandle!,
            k.handle,
            Buffer.alloc(k.meta.length + 8),
          ),
        );
        const d = createDecipheriv('id-aes256-wrap', ephemeral, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
        return new Uint8Array(Buffer.concat([d.update(wrapped), d.final()]));
      } finally {
        zeroise(ephemeral);
        if (kekHandle) this.m.C_DestroyObject(this.s, kekHandle);
      }
    });
  }

  // ---- operations ----------------------------------------------------------------------------

  private hmac(k: P11Key, data: Buffer): Buffer {
    return backend('C_Sign(SHA256_HMAC)', () => {
      this.m.C_SignInit(this.s, { mechanism: P.CKM_SHA256_HMAC }, k.handle);
      return this.m.C_Sign(this.s, data, Buffer.alloc(32));
    });
  }

  private macSync(key: KeyRef, data: Uint8Array, algorithm: MacAlgorithm): Buffer {
    checkBytes('data', data);
    const k = this.useKey(key, 'mac');
    if (algorithm === 'HMAC-SHA-256') {
      if (k.meta.algorithm !== 'HMAC')
        throw seError('INVALID_INPUT', `HMAC-SHA-256 needs an HMAC key; '${k.meta.id}' is ${k.meta.algorithm}`);
      return this.hmac(k, asBuffer(data));
    }
    if (algorithm === 'AES-CMAC') {
      if (k.meta.algorithm !== 'AES')
        throw seError('INVALID_INPUT', `AES-CMAC needs an AES key; '${k.meta.id}' is ${k.meta.algorithm}`);
      return backend('C_Sign(AES_CMAC)', () => {
        this.m.C_SignInit(this.s, { mechanism: P.CKM_AES_CMAC }, k.handle);
        return this.m.C_Sign(this.s, asBuffer(data), Buffer.alloc(16));
      });
    }
    throw seError('INVALID_INPUT', `unknown MAC algorithm '${String(algorithm)}'`);
  }

  async mac(key: KeyRef, data: Uint8Array, algorithm: MacAlgorithm = 'HMAC-SHA-256'): Promise<Uint8Array> {
    return this.ctx.auditor.runSync(
      'mac',
      { keyId: safeId(key) },
      () => new Uint8Array(this.macSync(key, data, algorithm)),
    );
  }

  async verifyMac(
    key: KeyRef,
    data: Uint8Array,
    tag: Uint8Array,
    algorithm: MacAlgorithm = 'HMAC-SHA-256',
  ): Promise<boolean> {
    return this.ctx.auditor.runSync('verify-mac', { keyId: safeId(key) }, () => {
      checkBytes('tag', tag, 0, 64);
      return equalConstantTime(this.macSync(key, data, algorithm), tag);
    });
  }

  async sign(key: KeyRef, data: Uint8Array): Promise<Uint8Array> {
    return this.ctx.auditor.runSync('sign', { keyId: safeId(key) }, () => {
      checkBytes('data', data);
      return new Uint8Array(this.ecdsaSign(this.useKey(key, 'sign'), data));
    });
  }

  /** ECDSA P-256 over SHA-256(data) in the token; r || s. */
  private ecdsaSign(k: P11Key, data: Uint8Array): Buffer {
    const digest = createHash('sha256').update(data).digest();
    return backend('C_Sign(ECDSA)', () => {
      this.m.C_SignInit(this.s, { mechanism: P.CKM_ECDSA }, k.handle);
      return this.m.C_Sign(this.s, digest, Buffer.alloc(64));
    });
  }

  /** Verification needs no secret: done with the cached public key. */
  async verify(key: KeyRef, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return this.ctx.auditor.runSync('verify', { keyId: safeId(key) }, () => {
      checkBytes('data', data);
      checkBytes('signature', signature, 0, 256);
      const k = this.getP11(key);
      if (!k.publicKey) throw seError('INVALID_INPUT', `key '${k.meta.id}' is not an EC key`);
      if (signature.byteLength !== 64) return false;
      return nodeVerify('sha256', data, { key: k.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
    });
  }

  async getPublicKey(key: KeyRef): Promise<Uint8Array> {
    return this.ctx.auditor.runSync('get-public-key', { keyId: safeId(key) }, () => {
      const k = this.getP11(key);
      if (!k.publicKey) throw seError('INVALID_INPUT', `key '${k.meta.id}' is not an EC key`);
      return new Uint8Array(k.publicKey.export({ format: 'der', type: 'spki' }));
    });
  }

  private gcm(iv: Uint8Array, aad?: Uint8Array): pkcs11js.Mechanism {
    const parameter: pkcs11js.GcmParams = { type: P.CK_PARAMS_GCM, iv: Buffer.from(iv), ivBits: 96, tagBits: 128 };
    if (aad) parameter.aad = Buffer.from(aad);
    return { mechanism: P.CKM_AES_GCM, parameter };
  }

  async encrypt(key: KeyRef, plaintext: Uint8Array, aad?: Uint8Array): Promise<AeadCiphertext> {
    return this.ctx.auditor.runSync('encrypt', { keyId: safeId(key) }, () => {
      checkBytes('plaintext', plaintext);
      if (aad !== undefined) checkBytes('aad', aad);
      const k = this.useKey(key, 'encrypt');
      const iv = randomBytes(12);
      const ciphertext = backend('C_Encrypt(AES_GCM)', () => {
        this.m.C_EncryptInit(this.s, this.gcm(iv, aad), k.handle);
        return this.m.C_Encrypt(this.s, asBuffer(plaintext), Buffer.alloc(plaintext.byteLength + 16));
      });
      return { iv: new Uint8Array(iv), ciphertext: new Uint8Array(ciphertext) };
    });
  }

  async decrypt(key: KeyRef, sealed: AeadCiphertext, aad?: Uint8Array): Promise<Uint8Array> {
    return this.ctx.auditor.runSync('decrypt', { keyId: safeId(key) }, () => {
      checkBytes('iv', sealed?.iv, 12, 12);
      checkBytes('ciphertext', sealed.ciphertext, 16);
      if (aad !== undefined) checkBytes('aad', aad);
      const k = this.useKey(key, 'encrypt');
      try {
        this.m.C_DecryptInit(this.s, this.gcm(sealed.iv, aad), k.handle);
        return new Uint8Array(
          this.m.C_Decrypt(this.s, asBuffer(sealed.ciphertext), Buffer.alloc(sealed.ciphertext.byteLength)),
        );
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
    return new Uint8Array(backend('C_GenerateRandom', () => this.m.C_GenerateRandom(this.s, Buffer.alloc(length))));
  }

  // ---- credentials ---------------------------------------------------------------------------

  private createCredential(label: string, value: Buffer, pending?: string): P11Credential {
    const uidBytes = randomBytes(16);
    const seq = ++this.seq;
    const uid = uidBytes.toString('hex');
    const meta: CredentialObjectMeta = {
      m2msec: 1,
      kind: 'credential',
      label,
      uid,
      seq,
      ...(pending ? { pending } : {}),
    };
    const template: Template = [
      { type: P.CKA_CLASS, value: P.CKO_DATA },
      { type: P.CKA_TOKEN, value: true },
      { type: P.CKA_PRIVATE, value: true },
      { type: P.CKA_APPLICATION, value: CREDENTIAL_APPLICATION },
      { type: P.CKA_LABEL, value: JSON.stringify(meta) },
      { type: P.CKA_VALUE, value: value },
    ];
    const handle = backend('C_CreateObject', () => this.m.C_CreateObject(this.s, template));
    return { uid, handle, seq };
  }

  async writeCredential(label: string, value: Uint8Array): Promise<void> {
    return this.ctx.auditor.runSync('write-credential', { credentialLabel: label }, () => {
      this.requireOpen();
      checkCredentialLabel(label);
      checkBytes('credential value', value, 0, 1024 * 1024);
      // new copy first, then the old one goes: a crash in between keeps the newest (see recovery)
      const created = this.createCredential(label, asBuffer(value));
      const old = this.credentials.get(label);
      this.credentials.set(label, created);
      if (old) backend('C_DestroyObject', () => this.m.C_DestroyObject(this.s, old.handle));
    });
  }

  async readCredential(label: string): Promise<Uint8Array | undefined> {
    return this.ctx.auditor.runSync('read-credential', { credentialLabel: label }, () => {
      this.requireOpen();
      checkCredentialLabel(label);
      const c = this.credentials.get(label);
      if (!c) return undefined;
      const [v] = backend('C_GetAttributeValue', () =>
        this.m.C_GetAttributeValue(this.s, c.handle, [{ type: P.CKA_VALUE }]),
      );
      return new Uint8Array(v!.value as Buffer);
    });
  }

  async deleteCredential(label: string): Promise<boolean> {
    return this.ctx.auditor.runSync('delete-credential', { credentialLabel: label }, () => {
      this.requireOpen();
      checkCredentialLabel(label);
      const c = this.credentials.get(label);
      if (!c) return false;
      backend('C_DestroyObject', () => this.m.C_DestroyObject(this.s, c.handle));
      this.credentials.delete(label);
      return true;
    });
  }

  async listCredentials(): Promise<string[]> {
    this.requireOpen();
    return [...this.credentials.keys()];
  }

  // ---- provisioning --------------------------------------------------------------------------

  async beginProvisioning(issuer: string, sessionKey: KeyRef): Promise<ProvisioningSession> {
    this.requireOpen();
    if (typeof issuer !== 'string' || issuer.length === 0 || issuer.length > 255)
      throw seError('INVALID_INPUT', 'issuer must be 1-255 characters');
    const k = this.useKey(sessionKey, attestationKeyUse(this.getP11(sessionKey).meta).usage);
    const session = new StagedProvisioningSession(
      issuer,
      k.meta.id,
      async (s, ops, nonce) => this.commitProvisioning(s, ops, nonce),
      this.ctx.auditor,
    );
    this.ctx.auditor.record('provisioning-begin', { sessionId: session.id, keyId: k.meta.id }, 'success');
    return session;
  }

  /**
   * Commit protocol (README "PKCS#11 journal"):
   * 1. create every new object as pending (meta.pending = session id), invisible to lookups;
   * 2. MAC the transcript with the session key;
   * 3. create the journal object: the commit point;
   * 4. apply the journal (set final labels, destroy deleted objects), then destroy it.
   * Recovery at open rolls back pending objects without a journal and replays journals.
   */
  private commitProvisioning(
    session: { id: string; issuer: string; sessionKeyId: string },
    ops: readonly ProvisioningOperation[],
    nonce: Uint8Array,
  ): ProvisioningAttestation {
    this.requireOpen();
    const sid = session.id;
    const sessionKey = this.keys.get(session.sessionKeyId);
    const use = sessionKey && attestationKeyUse(sessionKey.meta);
    if (!sessionKey || !use || !sessionKey.meta.usages.includes(use.usage)) {
      throw seError(
        'KEY_NOT_FOUND',
        `provisioning session key '${session.sessionKeyId}' is gone or no longer an attestation key`,
      );
    }
    // validate everything before the token is touched
    const now = this.ctx.now();
    const journal: Journal = { sid, setLabels: [], destroy: [] };
    const planned: { op: ProvisioningOperation; meta?: KeyHandle }[] = [];
    for (const op of ops) {
      switch (op.op) {
        case 'generate-key':
        case 'import-key': {
          const length =
            op.op === 'import-key'
              ? op.spec.algorithm === 'EC-P256'
                ? 32
                : op.material.byteLength
              : ((op.spec as { length?: number }).length ?? 32);
          const meta = newKeyMeta(op.spec.algorithm, length, op.spec, randomUUID, now);
          this.requireFree(meta.id);
          planned.push({ op, meta });
          break;
        }
        case 'delete-key': {
          const k = this.keys.get(op.id);
          if (!k) throw seError('KEY_NOT_FOUND', `provisioning deletes key '${op.id}', which does not exist`);
          journal.destroy.push(k.uid);
          planned.push({ op });
          break;
        }
        case 'update-key': {
          const k = this.keys.get(op.id);
          if (!k) throw seError('KEY_NOT_FOUND', `provisioning updates key '${op.id}', which does not exist`);
          const usages = op.usages ? checkUsages(k.meta.algorithm, op.usages) : k.meta.usages;
          const meta = Object.freeze({
            ...k.meta,
            label: op.label ?? k.meta.label,
            usages: Object.freeze([...usages]),
          });
          if (usages.join() !== k.meta.usages.join()) {
            throw seError(
              'UNSUPPORTED',
              `the PKCS#11 SE cannot change the usages of '${op.id}' (token attributes are fixed at creation)`,
            );
          }
          journal.setLabels.push({ uid: k.uid, meta: toMeta(meta) });
          planned.push({ op });
          break;
        }
        case 'write-credential': {
          const old = this.credentials.get(op.label);
          if (old) journal.destroy.push(old.uid);
          planned.push({ op });
          break;
        }
        case 'delete-credential': {
          const c = this.credentials.get(op.label);
          if (!c) throw seError('KEY_NOT_FOUND', `provisioning deletes credential '${op.label}', which does not exist`);
          journal.destroy.push(c.uid);
          planned.push({ op });
          break;
        }
      }
    }
    // 1. pending objects
    const created: P11Key[] = [];
    const createdCreds: P11Credential[] = [];
    const publicKeys: Record<string, Uint8Array> = {};
    let journalHandle: Buffer | undefined;
    try {
      for (const { op, meta } of planned) {
        if (op.op === 'generate-key' || op.op === 'import-key') {
          const k = this.createKey(
            meta!,
            op.op === 'generate-key' ? { generate: true } : { material: asBuffer(op.material) },
            sid,
          );
          created.push(k);
          journal.setLabels.push({ uid: k.uid, meta: toMeta(meta!) });
          if (k.publicKey) publicKeys[meta!.id] = k.publicKey.export({ format: 'der', type: 'spki' });
        } else if (op.op === 'write-credential') {
          const c = this.createCredential(op.label, asBuffer(op.value), sid);
          createdCreds.push(c);
          journal.setLabels.push({
            uid: c.uid,
            meta: { m2msec: 1, kind: 'credential', label: op.label, uid: c.uid, seq: c.seq },
          });
        }
      }
      // 2. attest
      const transcript = encodeTranscript(session.issuer, sid, ops, publicKeys, nonce);
      // The proof is made in the token: C_Sign with the HMAC key, or ECDSA with a private key that was
      // generated there (CKA_SENSITIVE, CKA_EXTRACTABLE false) and so never existed outside it.
      const mac =
        use.algorithm === 'ECDSA-P256-SHA256'
          ? this.ecdsaSign(sessionKey, transcript)
          : this.hmac(sessionKey, transcript);
      // 3. commit point
      journalHandle = backend('C_CreateObject(journal)', () =>
        this.m.C_CreateObject(this.s, [
          { type: P.CKA_CLASS, value: P.CKO_DATA },
          { type: P.CKA_TOKEN, value: true },
          { type: P.CKA_PRIVATE, value: true },
          { type: P.CKA_APPLICATION, value: JOURNAL_APPLICATION },
          { type: P.CKA_LABEL, value: sid },
          { type: P.CKA_VALUE, value: Buffer.from(JSON.stringify(journal), 'utf8') },
        ]),
      );
      // 4. roll forward
      backend('journal apply', () => {
        applyJournal(this.m, this.s, listTokenObjects(this.m, this.s), journal);
        this.m.C_DestroyObject(this.s, journalHandle!);
      });
      return {
        version: 1,
        algorithm: use.algorithm,
        issuer: session.issuer,
        sessionId: sid,
        nonce: toBase64url(nonce),
        operationCount: ops.length,
        publicKeys: Object.fromEntries(Object.entries(publicKeys).map(([id, spki]) => [id, toBase64url(spki)])),
        mac: toBase64url(mac),
      };
    } catch (err) {
      if (!journalHandle) {
        // before the commit point: undo the pending objects
        for (const k of created) {
          try {
            this.destroyKeyObjects(k);
          } catch {}
        }
        for (const c of createdCreds) {
          try {
            this.m.C_DestroyObject(this.s, c.handle);
          } catch {}
        }
      } else {
        // after it: finish as recovery would
        recoverToken(this.m, this.s, this.ctx.auditor, this.ctx.logger);
      }
      throw err;
    } finally {
      this.reindex();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // no C_Logout: login state is per token and application; closing our session is enough
    try {
      this.m.C_CloseSession(this.s);
    } catch {}
    this.keys.clear();
    this.credentials.clear();
    releaseModule();
  }

  // ---- internals -----------------------------------------------------------------------------

  private requireOpen(): void {
    if (this.closed) throw seError('CLOSED', 'this secure environment is closed');
  }

  private getP11(ref: KeyRef): P11Key {
    this.requireOpen();
    const id = refId(ref);
    const k = this.keys.get(id);
    if (!k) throw seError('KEY_NOT_FOUND', `no key '${id}' in this secure environment`);
    return k;
  }

  private useKey(ref: KeyRef, usage: KeyUsage): P11Key {
    const k = this.getP11(ref);
    requireUsage(k.meta, usage);
    return k;
  }
}

function safeId(ref: KeyRef): string | undefined {
  const id = typeof ref === 'string' ? ref : ref?.id;
  return typeof id === 'string' ? id.slice(0, 255) : undefined;
}
