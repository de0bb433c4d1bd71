// Admin API for the MEF as GBA BSF (TS-0003 8.3.2.3): the subscriber database that stands in for the
// HSS, with each subscriber's Enrolee-ID and the Enrolment Targets (NAF FQDNs) that may get its Ks_NAF.
// Behind the same bearer token as the rest of the admin API; K and OPc go in as hex and never come out.
// The body is checked against its schema (gba/schemas.ts), which the OpenAPI document publishes.
//   PUT    /admin/gba/subscribers/<IMPI>  {k, opc | op, sqn?, amf?, enroleeId, targets: [NAF FQDN]}
//   GET    /admin/gba/subscribers/<IMPI>  {impi, seqHe, amf, enroleeId, enrolmentTargets}
//   DELETE /admin/gba/subscribers/<IMPI>
import { type Bsf, DEFAULT_SQN_POLICY } from '@m2msec/gba';
import { checkBody, type EdgeRequest, type EdgeRoute, M2msecError } from '@m2msec/protocol';
import { jsonAnswer, jsonBody, jsonRefusal, withBearerToken } from '../lib/edge-json.js';
import { GBA_ADMIN_OPERATIONS } from './schemas.js';

/** protocol's error model: 4000 / 4004, mapped to HTTP by the edge. */
class AdminInputError extends M2msecError {
  constructor(message: string) {
    super('BAD_REQUEST', 4000, message);
  }
}
class AdminNotFound extends M2msecError {
  constructor(message: string) {
    super('NOT_FOUND', 4004, message);
  }
}

const hexBytes = (v: unknown, n: number, what: string): Buffer => {
  if (typeof v !== 'string' || !new RegExp(`^[0-9a-fA-F]{${2 * n}}$`).test(v)) {
    throw new AdminInputError(`${what} must be ${n} bytes of hex`);
  }
  return Buffer.from(v, 'hex');
};

/**
 * SQN as a USIM administrator knows it (48 bits, 12 hex digits: the last SQN the HSS used). The BSF
 * keeps SEQ_HE, SQN = SEQ || IND with IND the low bits (TS 33.102 C.1.1), so SEQ_HE = SQN >> IND bits.
 */
const seqHeOf = (v: unknown): number => {
  const sqn = hexBytes(v, 6, 'sqn').readUIntBE(0, 6);
  return Math.floor(sqn / 2 ** DEFAULT_SQN_POLICY.indBits);
};

type AdminRequest = EdgeRequest & { json: Record<string, unknown> | undefined };

/** The GBA subscriber administration as routes of the shared HTTP edge, behind the bearer token. */
export function gbaAdminRoutes(bsf: Bsf, o: { token: string }): EdgeRoute[] {
  const routes: EdgeRoute[] = [];
  const route =
    (method: string, path: string) =>
    (fn: (req: AdminRequest) => Promise<unknown>): void => {
      const op = GBA_ADMIN_OPERATIONS.find((a) => a.method === method && a.path === path);
      if (!op) throw new Error(`GBA admin route ${method} ${path} is not in GBA_ADMIN_OPERATIONS (gba/schemas.ts)`);
      routes.push({
        method,
        path,
        maxBodyBytes: 16 * 1024,
        async handle(req) {
          const json = jsonBody(req) as Record<string, unknown> | undefined;
          if (op.body) {
            const refusal = checkBody(op.body, json);
            if (refusal) return jsonAnswer(400, { code: 'BAD_REQUEST', error: refusal });
          }
          try {
            return jsonAnswer(200, (await fn({ ...req, json })) ?? {});
          } catch (e) {
            return jsonRefusal(e);
          }
        },
      });
    };
  route(
    'PUT',
    '/admin/gba/subscribers/:impi',
  )(async (req) => {
    // The schema admitted the body; what it cannot say is checked here (and the FQDNs by provision).
    const b = req.json as Record<string, unknown> & { enroleeId: string; targets: string[] };
    if ((b.opc === undefined) === (b.op === undefined)) throw new AdminInputError('give exactly one of opc and op');
    const k = hexBytes(b.k, 16, 'k');
    const opc = b.opc !== undefined ? hexBytes(b.opc, 16, 'opc') : undefined;
    const op = b.op !== undefined ? hexBytes(b.op, 16, 'op') : undefined;
    try {
      await bsf.subscribers.provision({
        impi: String(req.params.impi),
        k,
        ...(opc ? { opc } : {}),
        ...(op ? { op } : {}),
        ...(b.amf !== undefined ? { amf: hexBytes(b.amf, 2, 'amf') } : {}),
        ...(b.sqn !== undefined ? { seqHe: seqHeOf(b.sqn) } : {}),
        enroleeId: b.enroleeId,
        enrolmentTargets: b.targets,
      });
    } finally {
      k.fill(0);
      opc?.fill(0);
      op?.fill(0);
    }
    return bsf.subscribers.get(String(req.params.impi));
  });
  route(
    'GET',
    '/admin/gba/subscribers/:impi',
  )(async (req) => {
    const s = await bsf.subscribers.get(String(req.params.impi));
    if (!s) throw new AdminNotFound('no such GBA subscriber');
    return s;
  });
  route(
    'DELETE',
    '/admin/gba/subscribers/:impi',
  )(async (req) => {
    if (!(await bsf.subscribers.delete(String(req.params.impi)))) throw new AdminNotFound('no such GBA subscriber');
    return { deleted: String(req.params.impi) };
  });
  return withBearerToken(o.token, routes);
}
