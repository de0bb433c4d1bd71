// Admin API for the MEF as GBA BSF (TS-0003 8.3.2.3): the subscriber database that stands in for the
// HSS, with each subscriber's Enrolee-ID and the Enrolment Targets (NAF FQDNs) that may get its Ks_NAF.
// Behind the same bearer token as the rest of the admin API; K and OPc go in as hex and never come out.
//   PUT    /admin/gba/subscribers/<IMPI>  {k, opc | op, sqn?, amf?, enroleeId, targets: [NAF FQDN]}
//   GET    /admin/gba/subscribers/<IMPI>  {impi, seqHe, amf, enroleeId, enrolmentTargets}
//   DELETE /admin/gba/subscribers/<IMPI>
import { createHash, timingSafeEqual } from 'node:crypto';
import { type Bsf, DEFAULT_SQN_POLICY, isGbaError } from '@m2msec/gba';
import express, { type Request, type Response, type Router } from 'express';

class AdminInputError extends Error {}
class AdminNotFound extends Error {}

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

function bearer(token: string) {
  const expected = createHash('sha256').update(`Bearer ${token}`).digest();
  return (req: Request, res: Response, next: () => void) => {
    const got = createHash('sha256')
      .update(req.header('authorization') ?? '')
      .digest();
    if (!timingSafeEqual(got, expected)) {
      res.status(401).json({ code: 'UNAUTHORIZED', error: 'admin API: bearer token required' });
      return;
    }
    next();
  };
}

export function gbaAdminRouter(bsf: Bsf, o: { token: string }): Router {
  const r = express.Router();
  r.use('/admin/gba', bearer(o.token), express.json({ limit: '16kb' }));
  const handle = (fn: (req: Request) => Promise<unknown>) => async (req: Request, res: Response) => {
    try {
      res.status(200).json((await fn(req)) ?? {});
    } catch (e) {
      if (e instanceof AdminInputError) res.status(400).json({ code: 'BAD_REQUEST', error: e.message });
      else if (e instanceof AdminNotFound) res.status(404).json({ code: 'NOT_FOUND', error: e.message });
      else if (isGbaError(e) && e.status < 500)
        res.status(e.status === 404 ? 404 : 400).json({ code: e.code, error: e.message });
      else res.status(500).json({ code: 'INTERNAL', error: 'internal error' });
    }
  };
  r.put(
    '/admin/gba/subscribers/:impi',
    handle(async (req) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const known = new Set(['k', 'opc', 'op', 'sqn', 'amf', 'enroleeId', 'targets']);
      const unknown = Object.keys(b).find((f) => !known.has(f));
      if (unknown) throw new AdminInputError(`unknown field '${unknown}'`);
      if ((b.opc === undefined) === (b.op === undefined)) throw new AdminInputError('give exactly one of opc and op');
      // The association at the NAF is bound to the Enrolee-ID, so a subscriber without one is useless.
      if (typeof b.enroleeId !== 'string' || !b.enroleeId) throw new AdminInputError('enroleeId is required');
      if (!Array.isArray(b.targets) || b.targets.length === 0 || !b.targets.every((t) => typeof t === 'string')) {
        throw new AdminInputError('targets must be a non-empty list of NAF FQDNs (Enrolment Targets)');
      }
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
          enrolmentTargets: b.targets as string[],
        });
      } finally {
        k.fill(0);
        opc?.fill(0);
        op?.fill(0);
      }
      return bsf.subscribers.get(String(req.params.impi));
    }),
  );
  r.get(
    '/admin/gba/subscribers/:impi',
    handle(async (req) => {
      const s = await bsf.subscribers.get(String(req.params.impi));
      if (!s) throw new AdminNotFound('no such GBA subscriber');
      return s;
    }),
  );
  r.delete(
    '/admin/gba/subscribers/:impi',
    handle(async (req) => {
      if (!(await bsf.subscribers.delete(String(req.params.impi)))) throw new AdminNotFound('no such GBA subscriber');
      return { deleted: String(req.params.impi) };
    }),
  );
  return r;
}
