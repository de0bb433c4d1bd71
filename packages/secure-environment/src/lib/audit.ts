import { SecureEnvironmentError } from '../errors.js';
import type { AuditEvent, AuditOperation, AuditSink, SecureEnvironmentLogger } from '../types.js';

export interface AuditTarget {
  keyId?: string;
  credentialLabel?: string;
  sessionId?: string;
}

/** Runs an operation and records its outcome. Only identifiers and error codes are recorded. */
export class Auditor {
  constructor(
    private readonly se: 'software' | 'pkcs11',
    private readonly sink: AuditSink | undefined,
    private readonly logger: SecureEnvironmentLogger | undefined,
    private readonly now: () => number,
  ) {}

  record(operation: AuditOperation, target: AuditTarget, outcome: 'success' | 'failure', errorCode?: string): void {
    const event: AuditEvent = { time: new Date(this.now()).toISOString(), se: this.se, operation, outcome, ...target };
    if (errorCode) event.errorCode = errorCode;
    if (this.sink) {
      try {
        this.sink(event);
      } catch {
        // an audit sink failure must not turn into a key operation failure nor leak through
      }
    }
  }

  /** Synchronous variant for the hot paths (sign, mac). */
  runSync<T>(operation: AuditOperation, target: AuditTarget, fn: () => T): T {
    try {
      const result = fn();
      this.record(operation, target, 'success');
      return result;
    } catch (err) {
      this.fail(operation, target, err);
      throw err;
    }
  }

  async run<T>(operation: AuditOperation, target: AuditTarget, fn: () => Promise<T> | T): Promise<T> {
    try {
      const result = await fn();
      this.record(operation, target, 'success');
      return result;
    } catch (err) {
      this.fail(operation, target, err);
      throw err;
    }
  }

  private fail(operation: AuditOperation, target: AuditTarget, err: unknown): void {
    const code = err instanceof SecureEnvironmentError ? err.code : 'BACKEND_FAILURE';
    this.record(operation, target, 'failure', code);
    this.logger?.warn(`secure environment ${operation} failed`, { ...target, code });
  }
}
