// The enrolee side of the RSPF in one call (TS-0003 8.3.2.1 / 8.3.2.2): MEF Handshake with Kpm or a
// certificate -> Ke / KeID from the exporter -> Enrolment Exchange (certificate enrolment over EST
// on the same session when instructed) -> every credential the enrolment yields staged in ONE
// provisioning session of the secure environment -> commit -> the attestation goes back to the MEF,
// which only then marks the enrolment complete. A failure before commit leaves the SE untouched.
import { randomBytes } from 'node:crypto';
import type { CsrKey, GeneralName } from '@m2msec/est';
import type { ProvisioningAttestation, ProvisioningOperation, SecureEnvironment } from '@m2msec/secure-environment';
import type {
  AttestationReport,
  EndInstruction,
  EnrolmentIndications,
  ExchangeResponse,
  Instruction,
  InstructionResult,
  MafEnrolmentInstruction,
  Removal,
} from '../exchange/messages.js';
import { RSPF_PREFIX } from '../exchange/messages.js';
import { checkPlan, type EnrolmentManifest, planOperations, wipeOperations } from '../exchange/plan.js';
import { attestationKeyFromSession } from '../keys/attestation-key.js';
import { enrolmentKeyFromSession } from '../keys/enrolment-key.js';
import { wipe } from '../lib/bytes.js';
import { RspfError } from '../lib/errors.js';
import { type BootstrapCredential, type ChannelResponse, MefChannel, mefHandshakeOptions } from './channel.js';

/** Base path of the Enrolment Exchange URI on the MEF (docs/mef.md). */
export const ENROLMENT_PATH = '/mef/enrolment';
const ATTESTATION_KEY_PREFIX = 'rspf-attestation/';

export type EnrolStep =
  | 'handshake'
  | 'instruction'
  | 'certificate-issued'
  | 'plan'
  | 'staged'
  | 'committed'
  | 'attested';

export interface EnrolOptions {
  /** https://host:port of the MEF's handshake listener (PSK or certificate). */
  mefUrl: string;
  mefFqdn: string;
  bootstrap: BootstrapCredential;
  se: SecureEnvironment;
  indications?: Partial<EnrolmentIndications>;
  /** For certificate enrolment: the enrolee's key (SE EC-P256 handle or WebCrypto pair) and SAN. */
  certificate?: { key: CsrKey; subjectAltName: GeneralName[]; subject?: string };
  /** MAF enrolment instruction handler (8.8.2.4); resolves true on success. */
  onMafEnrolment?: (instruction: MafEnrolmentInstruction) => Promise<boolean>;
  /** Remote management instruction (Table 8.3.2.1-4): acknowledged, acted on after the session. */
  onRemoteManagement?: (uri: string) => void;
  /** Enrolment Target identities this enrolee is configured for (8.3.2.1); the MEF must grant each. */
  expectedTargets?: readonly string[];
  /** Progress hook, awaited (bulk progress, crash tests); keId once the handshake is done. */
  onStep?: (step: EnrolStep, keId?: string) => void | Promise<void>;
  timeoutMs?: number;
}

export interface EnrolmentResult {
  keId: string;
  enroleeId: string;
  expiresAt: number;
  manifest: EnrolmentManifest;
  certificate?: Buffer;
  attestation: ProvisioningAttestation;
}

function expectOk(r: ChannelResponse, what: string): ExchangeResponse {
  if (r.status < 200 || r.status > 299) {
    const reason = typeof r.body === 'object' && r.body ? (r.body['m2m:dbg'] ?? JSON.stringify(r.body)) : r.body;
    throw new RspfError(r.status === 403 ? 'FORBIDDEN' : 'PROTOCOL', `${what}: MEF answered ${r.status} ${reason}`);
  }
  return r.body as ExchangeResponse;
}

export async function enrol(o: EnrolOptions): Promise<EnrolmentResult> {
  const tls = await mefHandshakeOptions(o.bootstrap, o.mefFqdn);
  const channel = new MefChannel(
    o.mefUrl,
    tls,
    o.timeoutMs,
    o.bootstrap.kind === 'user' ? { username: o.bootstrap.username, password: o.bootstrap.password } : undefined,
  );
  let keId: string | undefined;
  const step = async (s: EnrolStep) => o.onStep?.(s, keId);
  let ke: Buffer | undefined;
  let attestationKey: Buffer | undefined;
  try {
    const indications: EnrolmentIndications = {
      certificateEnrolmentIndication: o.indications?.certificateEnrolmentIndication ?? o.certificate !== undefined,
      mafEnrolmentIndication: o.indications?.mafEnrolmentIndication ?? o.onMafEnrolment !== undefined,
      remoteManagementIndication: o.indications?.remoteManagementIndication ?? o.onRemoteManagement !== undefined,
    };
    let answer = expectOk(await channel.post(ENROLMENT_PATH, indications), 'enrolment request');
    const own = enrolmentKeyFromSession(channel.socket, o.mefFqdn);
    keId = own.keId;
    ke = own.ke;
    attestationKey = attestationKeyFromSession(channel.socket);
    own.relativeKeID.fill(0);
    await step('handshake');
    if (answer.keID !== own.keId) throw new RspfError('PROTOCOL', 'the MEF derived another KeID from this session');
    let certificate: Buffer | undefined;
    while (answer.instruction?.instructionType !== 'end') {
      await step('instruction');
      const result = await carryOut(answer.instruction, o, channel);
      if (result.certificate) certificate = Buffer.from(result.certificate, 'base64');
      if (result.certificate) await step('certificate-issued');
      answer = expectOk(
        await channel.post(`${ENROLMENT_PATH}/${encodeURIComponent(answer.enrolmentID)}/result`, result),
        `${result.instructionType} report`,
      );
    }
    const end = answer.instruction as EndInstruction;
    const manifest = checkPlan(end, own.keId);
    for (const t of o.expectedTargets ?? []) {
      if (!manifest.targets.some((g) => g.targetId === t)) {
        throw new RspfError('FORBIDDEN', `the MEF granted no key for the configured Enrolment Target '${t}'`);
      }
    }
    await step('plan');
    const { attestation, removed } = await provision(o.se, end, ke, attestationKey, step);
    const report: AttestationReport = { attestation, removed };
    expectOk(
      await channel.post(`${ENROLMENT_PATH}/${encodeURIComponent(answer.enrolmentID)}/attestation`, report),
      'attestation',
    );
    await step('attested');
    return {
      keId: own.keId,
      enroleeId: end.enroleeID,
      expiresAt: end.expirationTime,
      manifest,
      ...(certificate ? { certificate } : {}),
      attestation,
    };
  } finally {
    wipe(ke, attestationKey);
    channel.close();
  }
}

async function carryOut(instr: Instruction, o: EnrolOptions, channel: MefChannel): Promise<InstructionResult> {
  switch (instr?.instructionType) {
    case 'certificateEnrolment': {
      const c = o.certificate;
      if (!c) return { instructionType: 'certificateEnrolment', success: false };
      const { createCsr, simpleEnroll } = await import('@m2msec/est'); // loaded only when instructed
      const result = await simpleEnroll(
        { baseUrl: new URL(instr.uri, o.mefUrl), agent: channel.agent, tls: channel.tls as never },
        (binding) =>
          createCsr({
            key: c.key,
            subjectAltName: c.subjectAltName,
            ...(c.subject ? { subject: c.subject } : {}),
            ...(binding ? { challengePassword: binding } : {}),
          }),
      );
      if (result.status !== 'issued') {
        throw new RspfError(
          'PROTOCOL',
          `the MEF's EST server deferred the certificate (retry in ${result.retryAfterSeconds} s)`,
        );
      }
      return {
        instructionType: 'certificateEnrolment',
        success: true,
        certificate: Buffer.from(result.certificate).toString('base64'),
      };
    }
    case 'mafEnrolment':
      return { instructionType: 'mafEnrolment', success: (await o.onMafEnrolment?.(instr)) ?? false };
    case 'remoteManagement':
      o.onRemoteManagement?.(instr.uri);
      return { instructionType: 'remoteManagement', success: true };
    default:
      throw new RspfError(
        'PROTOCOL',
        `unknown instruction '${String((instr as { instructionType?: unknown })?.instructionType)}'`,
      );
  }
}

/**
 * Everything the enrolment yields, in one provisioning session: the earlier enrolment's rspf/
 * entries are deleted and the new set written, or nothing changes. Returns the attestation.
 */
async function provision(
  se: SecureEnvironment,
  end: EndInstruction,
  ke: Buffer,
  attestationKey: Buffer,
  step: (s: EnrolStep) => Promise<void>,
): Promise<{ attestation: ProvisioningAttestation; removed: Removal[] }> {
  // The SE attests under a key handle: the session key goes in for the session's length only.
  for (const k of await se.listKeys()) if (k.id.startsWith(ATTESTATION_KEY_PREFIX)) await se.deleteKey(k.id);
  const sessionKeyId = `${ATTESTATION_KEY_PREFIX}${randomBytes(8).toString('hex')}`;
  await se.importKey(
    { id: sessionKeyId, algorithm: 'HMAC', usages: ['mac'], label: 'RSPF attestation' },
    attestationKey,
  );
  const removed: Removal[] = [
    ...(await se.listKeys())
      .filter((k) => k.id.startsWith(RSPF_PREFIX))
      .map((k) => ({ op: 'delete-key' as const, id: k.id })),
    ...(await se.listCredentials())
      .filter((l) => l.startsWith(RSPF_PREFIX))
      .map((label) => ({ op: 'delete-credential' as const, label })),
  ];
  let ops: ProvisioningOperation[] = [];
  try {
    const session = await se.beginProvisioning(end.provisioning.issuer, sessionKeyId);
    try {
      ops = [...removed, ...planOperations(end.provisioning, ke, end.targets)];
      for (const op of ops) session.stage(op);
      await step('staged');
      const attestation = await session.commit(Buffer.from(end.provisioning.nonce, 'base64url'));
      await step('committed');
      return { attestation, removed };
    } catch (e) {
      if (session.state === 'open') await session.abort().catch(() => undefined);
      throw e;
    }
  } finally {
    wipeOperations(ops);
    await se.deleteKey(sessionKeyId).catch(() => undefined);
  }
}
