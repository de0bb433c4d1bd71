// The MEF side of the Enrolment Key Generation and Enrolment Exchange (TS-0003 8.3.2.1, 8.3.2.2):
// one exchange per MEF Handshake (TLS session). The session object moves begin -> instructions ->
// end (plan sent, enrolment recorded as pending) -> attestation verified (enrolment complete).
// Nothing marks an enrolment complete except a provisioning attestation that verifies against the
// operations this MEF planned (verifyProvisioningAttestation).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { TlsContext } from '@m2msec/protocol';
import { type ProvisioningOperation, verifyProvisioningAttestation } from '@m2msec/secure-environment';
import {
  type ExchangeResponse,
  type Instruction,
  type ProvisioningPlan,
  parseAttestationReport,
  parseIndications,
  parseInstructionResult,
} from '../exchange/messages.js';
import { buildPlan, planOperations, wipeOperations } from '../exchange/plan.js';
import { attestationKeyFromSession, EXPORTER_LABEL_ATTESTATION } from '../keys/attestation-key.js';
import { enrolmentKeyFromExporter, enrolmentKeyFromSession } from '../keys/enrolment-key.js';
import { boundedByKe } from '../keys/expiry.js';
import { checkGrant } from '../keys/target-key.js';
import { b64u, fromB64, wipe } from '../lib/bytes.js';
import { RspfError } from '../lib/errors.js';
import {
  type EnroleePolicy,
  type EnroleePrincipal,
  type EnrolmentRecord,
  type EnrolmentRepository,
  type IssuedCertificateCheck,
  type KeyVault,
  principalName,
} from './types.js';

export interface EnrolmentExchangeOptions {
  mefFqdn: string;
  repository: EnrolmentRepository;
  vault: KeyVault;
  checkIssuedCertificate?: IssuedCertificateCheck;
  now?: () => number;
  /** An enrolment became complete (e.g. notify its Enrolment Targets). */
  onComplete?: (record: EnrolmentRecord) => void;
}

/**
 * The MEF Handshake a request arrived on: its TLS socket, or the TlsContext the shared HTTP edge reports
 * for it (one object per handshake, with the session's exporter and a close hook).
 */
export type MefHandshake = TLSSocket | TlsContext;

interface Handshake {
  key: object;
  enrolmentKey(mefFqdn: string): ReturnType<typeof enrolmentKeyFromSession>;
  attestationKey(): Buffer;
  onClose(listener: () => void): void;
}

function handshakeOf(h: MefHandshake): Handshake {
  if ('getFinished' in h) {
    return {
      key: h,
      enrolmentKey: (fqdn) => enrolmentKeyFromSession(h, fqdn),
      attestationKey: () => attestationKeyFromSession(h),
      onClose: (l) => h.once('close', l),
    };
  }
  const exporter = h.exportKeyingMaterial;
  if (!exporter) throw new RspfError('HANDSHAKE', 'the MEF Handshake has not completed on this session');
  return {
    key: h,
    enrolmentKey: (fqdn) => enrolmentKeyFromExporter((length, label) => exporter(length, label), fqdn),
    attestationKey: () => Buffer.from(exporter(32, EXPORTER_LABEL_ATTESTATION)),
    onClose: (l) => h.onClose?.(l),
  };
}

interface ExchangeSession {
  id: string;
  principal: EnroleePrincipal;
  policy: EnroleePolicy;
  keId: string;
  ke: Buffer;
  attestationKey: Buffer;
  queue: Instruction[];
  current?: Instruction;
  certificate?: Buffer;
  trustAnchors: Buffer[];
  plan?: ProvisioningPlan;
  record?: EnrolmentRecord;
  done: boolean;
}

export class EnrolmentExchange {
  readonly #sessions = new WeakMap<object, ExchangeSession>();
  readonly #now: () => number;

  constructor(private readonly o: EnrolmentExchangeOptions) {
    this.#now = o.now ?? Date.now;
  }

  /** Table 8.3.2.1-1 request: derive Ke / KeID from this session and answer the first instruction. */
  async begin(handshake: MefHandshake, principal: EnroleePrincipal, body: unknown): Promise<ExchangeResponse> {
    const indications = parseIndications(body);
    const h = handshakeOf(handshake);
    const key = h.key;
    if (this.#sessions.has(key)) {
      throw new RspfError(
        'CONFLICT',
        'an enrolment exchange already ran on this MEF Handshake; perform a new handshake',
      );
    }
    const policy = await this.o.repository.policyFor(principal);
    if (!policy) throw new RspfError('FORBIDDEN', `no enrolment is configured for ${principalName(principal)}`);
    const { ke, keId, relativeKeID } = h.enrolmentKey(this.o.mefFqdn);
    relativeKeID.fill(0);
    const queue: Instruction[] = [];
    if (indications.certificateEnrolmentIndication && policy.certificateEnrolment) {
      queue.push({ instructionType: 'certificateEnrolment', uri: policy.certificateEnrolment.uri });
    }
    if (indications.mafEnrolmentIndication && policy.mafEnrolment) {
      queue.push({ instructionType: 'mafEnrolment', ...policy.mafEnrolment });
    }
    if (indications.remoteManagementIndication && policy.remoteManagement) {
      queue.push({ instructionType: 'remoteManagement', uri: policy.remoteManagement.uri });
    }
    const s: ExchangeSession = {
      id: randomUUID(),
      principal,
      policy,
      keId,
      ke,
      attestationKey: h.attestationKey(),
      queue,
      trustAnchors: [],
      done: false,
    };
    this.#sessions.set(key, s);
    h.onClose(() => this.#drop(key, s));
    return this.#next(s);
  }

  /** The enrolee reports an instruction's outcome; the MEF answers the next instruction. */
  async report(handshake: MefHandshake, enrolmentId: string, body: unknown): Promise<ExchangeResponse> {
    const s = this.#session(handshake, enrolmentId);
    const r = parseInstructionResult(body);
    if (!s.current || s.current.instructionType !== r.instructionType) {
      throw new RspfError('BAD_REQUEST', `no ${r.instructionType} instruction is outstanding in this exchange`);
    }
    if (r.instructionType === 'certificateEnrolment' && r.success) {
      if (!r.certificate)
        throw new RspfError('BAD_REQUEST', 'a successful certificate enrolment reports the certificate');
      if (!this.o.checkIssuedCertificate) throw new RspfError('INTERNAL', 'this MEF cannot check issued certificates');
      const checked = await this.o.checkIssuedCertificate(fromB64(r.certificate, 'certificate'), s.principal, s.policy);
      s.certificate = checked.certificate;
      s.trustAnchors = checked.trustAnchors;
    }
    return this.#next(s);
  }

  /** The enrolee's provisioning attestation: verified, then (only then) the enrolment is complete. */
  async attest(handshake: MefHandshake, enrolmentId: string, body: unknown): Promise<EnrolmentRecord> {
    const s = this.#session(handshake, enrolmentId);
    if (!s.plan || !s.record) throw new RspfError('BAD_REQUEST', 'the exchange has not reached its end instruction');
    if (s.done) throw new RspfError('CONFLICT', 'this enrolment was already attested');
    const report = parseAttestationReport(body);
    let ops: ProvisioningOperation[] = [];
    let ok = false;
    try {
      ops = [...report.removed, ...planOperations(s.plan, s.ke, s.record.targets)];
      ok = await verifyProvisioningAttestation(
        report.attestation,
        { issuer: s.plan.issuer, nonce: fromB64(s.plan.nonce, 'nonce'), operations: ops },
        s.attestationKey,
      );
    } finally {
      wipeOperations(ops);
    }
    s.done = true; // one attempt per exchange: a forged attestation cannot be retried on this session
    this.#drop(handshake, s);
    if (!ok) {
      throw new RspfError('ATTESTATION', 'the provisioning attestation does not match the planned enrolment');
    }
    const record = await this.o.repository.markComplete(s.record.keId, this.#now());
    this.o.onComplete?.(record);
    return record;
  }

  async #next(s: ExchangeSession): Promise<ExchangeResponse> {
    const next = s.queue.shift();
    if (next) {
      s.current = next;
      return { enrolmentID: s.id, keID: s.keId, instruction: next };
    }
    s.current = undefined;
    return { enrolmentID: s.id, keID: s.keId, instruction: await this.#end(s) };
  }

  async #end(s: ExchangeSession): Promise<Instruction> {
    if (s.plan) throw new RspfError('CONFLICT', 'the exchange has already ended');
    const now = this.#now();
    const expiresAt = now + s.policy.enrolmentExpirySeconds * 1000;
    const keyExpiry = boundedByKe(
      expiresAt,
      s.policy.keyLifetimeSeconds === undefined ? undefined : now + s.policy.keyLifetimeSeconds * 1000,
    );
    const targets = s.policy.targets.map((t) => ({ ...checkGrant(t), expirationTime: keyExpiry }));
    const { plan } = buildPlan({
      issuer: this.o.mefFqdn,
      nonce: b64u(randomBytes(16)),
      keId: s.keId,
      enroleeId: s.policy.enroleeId,
      expiresAt,
      targets,
      ...(s.certificate ? { certificate: s.certificate } : {}),
      trustAnchors: s.trustAnchors,
    });
    const record: EnrolmentRecord = {
      keId: s.keId,
      enroleeId: s.policy.enroleeId,
      principal: principalName(s.principal),
      targets,
      createdAt: now,
      expiresAt,
      state: 'pending',
      sealedKe: await this.o.vault.seal('Ke', s.keId, s.ke),
      ...(s.certificate ? { certificateSha256: createHash('sha256').update(s.certificate).digest('hex') } : {}),
    };
    await this.o.repository.savePending(record); // committed before the plan is answered
    s.plan = plan;
    s.record = record;
    return {
      instructionType: 'end',
      keID: s.keId,
      enroleeID: s.policy.enroleeId,
      expirationTime: expiresAt,
      targets,
      provisioning: plan,
    };
  }

  #session(handshake: MefHandshake, enrolmentId: string): ExchangeSession {
    const s = this.#sessions.get(handshake);
    if (!s || s.id !== enrolmentId) {
      throw new RspfError('NOT_FOUND', `no enrolment exchange '${enrolmentId}' on this MEF Handshake`);
    }
    return s;
  }

  #drop(key: object, s: ExchangeSession): void {
    wipe(s.ke, s.attestationKey);
    if (this.#sessions.get(key) === s && !s.done) this.#sessions.delete(key);
  }
}
