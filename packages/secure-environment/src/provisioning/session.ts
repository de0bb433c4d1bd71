import { randomUUID } from 'node:crypto';
import { seError } from '../errors.js';
import type { Auditor } from '../lib/audit.js';
import { zeroise } from '../lib/bytes.js';
import { checkBytes } from '../lib/validate.js';
import type { ProvisioningAttestation, ProvisioningOperation, ProvisioningSession } from '../types.js';
import { normaliseOperation } from './transcript.js';

/** What an SE implementation supplies: apply every operation atomically, then attest. */
export type CommitProvisioning = (
  session: { id: string; issuer: string; sessionKeyId: string },
  operations: readonly ProvisioningOperation[],
  nonce: Uint8Array,
) => Promise<ProvisioningAttestation>;

/**
 * A provisioning session (begin -> stage -> commit | abort). Staged operations live only in this
 * object, so nothing is visible in the SE before commit; commit is all-or-nothing.
 */
export class StagedProvisioningSession implements ProvisioningSession {
  readonly id = randomUUID();
  private readonly operations: ProvisioningOperation[] = [];
  private _state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';

  constructor(
    readonly issuer: string,
    private readonly sessionKeyId: string,
    private readonly commitFn: CommitProvisioning,
    private readonly auditor: Auditor,
  ) {}

  get state(): 'open' | 'committed' | 'aborted' {
    return this._state === 'committing' ? 'open' : this._state;
  }

  stage(operation: ProvisioningOperation): void {
    this.requireOpen();
    const op = normaliseOperation(operation);
    const target = targetOf(op);
    if (this.operations.some((o) => targetOf(o) === target)) {
      wipe(op);
      throw seError(
        'INVALID_INPUT',
        `provisioning session ${this.id} already stages an operation on ${target.slice(2)}`,
      );
    }
    this.operations.push(op);
  }

  async commit(nonce: Uint8Array): Promise<ProvisioningAttestation> {
    this.requireOpen();
    checkBytes('nonce', nonce, 8, 1024);
    this._state = 'committing';
    try {
      const attestation = await this.auditor.run(
        'provisioning-commit',
        { sessionId: this.id, keyId: this.sessionKeyId },
        () =>
          this.commitFn({ id: this.id, issuer: this.issuer, sessionKeyId: this.sessionKeyId }, this.operations, nonce),
      );
      this._state = 'committed';
      return attestation;
    } catch (err) {
      // a failed commit applied nothing; the session is over
      this._state = 'aborted';
      throw err;
    } finally {
      for (const op of this.operations) wipe(op);
    }
  }

  async abort(): Promise<void> {
    if (this._state !== 'open') return;
    this._state = 'aborted';
    for (const op of this.operations) wipe(op);
    this.operations.length = 0;
    this.auditor.record('provisioning-abort', { sessionId: this.id }, 'success');
  }

  private requireOpen(): void {
    if (this._state !== 'open') throw seError('SESSION_STATE', `provisioning session ${this.id} is ${this._state}`);
  }
}

function targetOf(op: ProvisioningOperation): string {
  if (op.op === 'write-credential' || op.op === 'delete-credential') return `c:${op.label}`;
  return `k:${op.op === 'generate-key' || op.op === 'import-key' ? op.spec.id : op.id}`;
}

function wipe(op: ProvisioningOperation): void {
  if (op.op === 'import-key') zeroise(op.material);
}
