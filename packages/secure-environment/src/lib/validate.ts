import { seError } from '../errors.js';
import type { KeyAlgorithm, KeyHandle, KeyOptions, KeyUsage } from '../types.js';

const usagesByAlgorithm: Record<KeyAlgorithm, readonly KeyUsage[]> = {
  AES: ['encrypt', 'wrap', 'mac'],
  HMAC: ['mac', 'derive', 'tls-psk'],
  'EC-P256': ['sign'],
};

/** Printable ASCII, first character not a space (checked by code point, no control-character regex). */
function isPrintableId(v: string): boolean {
  if (v.length === 0 || v.length > 255 || v.charCodeAt(0) === 0x20) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function hasControlCharacter(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

export function checkKeyId(id: string): void {
  if (typeof id !== 'string' || !isPrintableId(id)) {
    throw seError('INVALID_INPUT', 'key id must be 1-255 printable ASCII characters, not starting with a space');
  }
}

export function checkCredentialLabel(label: string): void {
  if (typeof label !== 'string' || !isPrintableId(label)) {
    throw seError('INVALID_INPUT', 'credential label must be 1-255 printable ASCII characters');
  }
}

export function checkLabel(label: string): void {
  if (typeof label !== 'string' || label.length > 255 || hasControlCharacter(label)) {
    throw seError('INVALID_INPUT', 'key label must be at most 255 characters without control characters');
  }
}

export function checkUsages(algorithm: KeyAlgorithm, usages: readonly KeyUsage[]): KeyUsage[] {
  if (!Array.isArray(usages) || usages.length === 0) {
    throw seError('INVALID_INPUT', `a ${algorithm} key needs at least one usage`);
  }
  const allowed = usagesByAlgorithm[algorithm];
  for (const u of usages) {
    if (!allowed.includes(u)) {
      throw seError(
        'INVALID_INPUT',
        `usage '${String(u)}' is not valid for a ${algorithm} key (allowed: ${allowed.join(', ')})`,
      );
    }
  }
  return [...new Set(usages)].sort();
}

/** HMAC keys: 32..64 bytes (PKCS#11 tokens refuse HMAC-SHA-256 keys shorter than the hash). */
export function checkSymmetricLength(algorithm: KeyAlgorithm, length: number): void {
  if (algorithm === 'AES' && length !== 16 && length !== 32) {
    throw seError('INVALID_INPUT', `an AES key must be 16 or 32 bytes, got ${length}`);
  }
  if (algorithm === 'HMAC' && (!Number.isInteger(length) || length < 32 || length > 512)) {
    throw seError('INVALID_INPUT', `an HMAC key must be 32-512 bytes, got ${length}`);
  }
}

export function checkAlgorithm(algorithm: unknown): asserts algorithm is KeyAlgorithm {
  if (algorithm !== 'AES' && algorithm !== 'HMAC' && algorithm !== 'EC-P256') {
    throw seError('INVALID_INPUT', `unknown key algorithm '${String(algorithm)}' (AES, HMAC or EC-P256)`);
  }
}

export function checkBytes(name: string, value: unknown, min = 0, max = 16 * 1024 * 1024): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw seError('INVALID_INPUT', `${name} must be a Uint8Array`);
  if (value.byteLength < min || value.byteLength > max) {
    throw seError('INVALID_INPUT', `${name} must be ${min}-${max} bytes, got ${value.byteLength}`);
  }
}

/** Validated metadata for a new key; the id is random unless given. */
export function newKeyMeta(
  algorithm: KeyAlgorithm,
  length: number,
  options: KeyOptions,
  randomId: () => string,
  now: number,
): KeyHandle {
  checkAlgorithm(algorithm);
  const id = options.id ?? randomId();
  checkKeyId(id);
  const label = options.label ?? '';
  checkLabel(label);
  const usages = checkUsages(algorithm, options.usages);
  if (algorithm !== 'EC-P256') checkSymmetricLength(algorithm, length);
  const exportable = options.exportable === true;
  if (exportable && algorithm === 'EC-P256') {
    throw seError('UNSUPPORTED', 'EC private keys cannot be made exportable (AES-KW wraps symmetric keys only)');
  }
  return Object.freeze({ id, algorithm, length, label, usages: Object.freeze(usages), exportable, createdAt: now });
}

export function requireUsage(meta: KeyHandle, usage: KeyUsage): void {
  if (!meta.usages.includes(usage)) {
    throw seError(
      'USAGE_NOT_PERMITTED',
      `key '${meta.id}' (${meta.algorithm}) is not allowed for '${usage}' (usages: ${meta.usages.join(', ')})`,
    );
  }
}

export function refId(ref: { id: string } | string): string {
  const id = typeof ref === 'string' ? ref : ref?.id;
  checkKeyId(id);
  return id;
}
