import { createHash } from 'node:crypto';
import { seError } from '../errors.js';
import { checkCredentialLabel, checkLabel, checkUsages, newKeyMeta } from '../lib/validate.js';
import type { ProvisioningOperation } from '../types.js';

const magic = 'm2msec-provisioning-transcript-v1';

function field(parts: Buffer[], value: Uint8Array | string): void {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.byteLength);
  parts.push(len, bytes);
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

/**
 * Validate one staged operation and return its normalised copy (defaults filled, usages sorted,
 * material copied so the caller may wipe its buffer). Both the SE and the issuer's verifier
 * normalise the same way, so their transcripts agree.
 */
export function normaliseOperation(op: ProvisioningOperation): ProvisioningOperation {
  switch (op?.op) {
    case 'generate-key': {
      const s = op.spec;
      if (typeof s?.id !== 'string')
        throw seError('INVALID_INPUT', 'a provisioning generate-key needs an explicit key id');
      const length = s.algorithm === 'EC-P256' ? 32 : s.algorithm === 'HMAC' ? (s.length ?? 32) : s.length;
      const m = newKeyMeta(s.algorithm, length, s, () => '', 0);
      return {
        op: 'generate-key',
        spec: {
          ...(s as object),
          id: m.id,
          label: m.label,
          usages: m.usages,
          exportable: m.exportable,
          length,
        } as never,
      };
    }
    case 'import-key': {
      const s = op.spec;
      if (typeof s?.id !== 'string')
        throw seError('INVALID_INPUT', 'a provisioning import-key needs an explicit key id');
      if (!(op.material instanceof Uint8Array))
        throw seError('INVALID_INPUT', 'import-key material must be a Uint8Array');
      const m = newKeyMeta(s.algorithm, s.algorithm === 'EC-P256' ? 32 : op.material.byteLength, s, () => '', 0);
      return {
        op: 'import-key',
        spec: { id: m.id, algorithm: m.algorithm, label: m.label, usages: m.usages, exportable: m.exportable },
        material: Buffer.from(op.material),
      };
    }
    case 'delete-key':
      newKeyMeta('HMAC', 32, { id: op.id, usages: ['mac'] }, () => '', 0);
      return { op: 'delete-key', id: op.id };
    case 'update-key': {
      newKeyMeta('HMAC', 32, { id: op.id, usages: ['mac'] }, () => '', 0);
      if (op.label === undefined && op.usages === undefined)
        throw seError('INVALID_INPUT', 'update-key changes nothing');
      if (op.label !== undefined) checkLabel(op.label);
      const out: ProvisioningOperation = { op: 'update-key', id: op.id };
      if (op.label !== undefined) out.label = op.label;
      if (op.usages !== undefined) {
        if (!Array.isArray(op.usages) || op.usages.length === 0)
          throw seError('INVALID_INPUT', 'update-key usages must not be empty');
        out.usages = [...new Set(op.usages)].sort();
      }
      return out;
    }
    case 'write-credential':
      checkCredentialLabel(op.label);
      if (!(op.value instanceof Uint8Array)) throw seError('INVALID_INPUT', 'credential value must be a Uint8Array');
      return { op: 'write-credential', label: op.label, value: Buffer.from(op.value) };
    case 'delete-credential':
      checkCredentialLabel(op.label);
      return { op: 'delete-credential', label: op.label };
    default:
      throw seError('INVALID_INPUT', `unknown provisioning operation '${String((op as { op?: unknown })?.op)}'`);
  }
}

/** Usages of an update must still fit the key's algorithm; checked at commit against the stored key. */
export { checkUsages };

/**
 * The attested transcript: length-prefixed fields over issuer, session id, every operation in
 * staging order (secrets enter only as SHA-256 digests; on-board generated EC keys as their SPKI)
 * and finally the issuer's nonce.
 */
export function encodeTranscript(
  issuer: string,
  sessionId: string,
  operations: readonly ProvisioningOperation[],
  publicKeys: Readonly<Record<string, Uint8Array>>,
  nonce: Uint8Array,
): Buffer {
  const parts: Buffer[] = [];
  field(parts, magic);
  field(parts, issuer);
  field(parts, sessionId);
  field(parts, String(operations.length));
  for (const op of operations) {
    field(parts, op.op);
    switch (op.op) {
      case 'generate-key': {
        const s = op.spec;
        field(parts, s.id);
        field(parts, s.algorithm);
        field(parts, String((s as { length?: number }).length ?? 32));
        field(parts, s.label ?? '');
        field(parts, [...s.usages].join(','));
        field(parts, s.exportable ? '1' : '0');
        field(parts, publicKeys[s.id] ?? new Uint8Array());
        break;
      }
      case 'import-key':
        field(parts, op.spec.id);
        field(parts, op.spec.algorithm);
        field(parts, op.spec.label ?? '');
        field(parts, [...op.spec.usages].join(','));
        field(parts, op.spec.exportable ? '1' : '0');
        field(parts, sha256(op.material));
        break;
      case 'delete-key':
        field(parts, op.id);
        break;
      case 'update-key':
        field(parts, op.id);
        field(parts, op.label === undefined ? '0' : `1${op.label}`);
        field(parts, op.usages === undefined ? '0' : `1${op.usages.join(',')}`);
        break;
      case 'write-credential':
        field(parts, op.label);
        field(parts, sha256(op.value));
        break;
      case 'delete-credential':
        field(parts, op.label);
        break;
    }
  }
  field(parts, nonce);
  return Buffer.concat(parts);
}
