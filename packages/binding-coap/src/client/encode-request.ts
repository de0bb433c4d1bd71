// TS-0008 clause 6, originator side: a request primitive -> CoAP method, Uri-Path, Uri-Query and the
// oneM2M options of Table 6.2.2.4.0-1, JSON payload.
import { M2MError, Operation, type RequestPrimitive, ResponseStatusCode } from '@m2msec/protocol';
import type { CoapOption } from '../message/codec.js';
import { ContentFormat, encodeUint, Opt } from '../message/options.js';
import { queryFields } from '../request/query.js';
import { uriPathForTo } from '../request/target.js';

const methods: Record<number, number> = {
  [Operation.CREATE]: 2,
  [Operation.RETRIEVE]: 1,
  [Operation.UPDATE]: 3,
  [Operation.DELETE]: 4,
  [Operation.NOTIFY]: 2,
};

const text = (number: number, v: string): CoapOption => ({ number, value: Buffer.from(v, 'utf8') });

export function encodeCoapRequest(req: RequestPrimitive): { code: number; options: CoapOption[]; payload: Buffer } {
  const code = methods[req.op];
  if (code === undefined)
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, `operation ${String(req.op)} has no CoAP method`);
  if (req.op === Operation.CREATE && (req.ty === undefined || !Number.isSafeInteger(req.ty)))
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, 'a CREATE request needs an integer ty');
  const options: CoapOption[] = uriPathForTo(req.to).map((s) => text(Opt.uriPath, s));
  const fc = (req.fc ?? {}) as Record<string, unknown>;
  for (const [name, field] of Object.entries(queryFields)) {
    let value: unknown;
    if (field.place === 'fc') value = fc[name];
    else if (name === 'rt') value = req.rt?.rtv;
    else value = (req as unknown as Record<string, unknown>)[name];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    const v = Array.isArray(value) ? value.map(String).join('+') : String(value);
    options.push(text(Opt.uriQuery, `${name}=${v}`));
  }
  options.push(text(Opt.oneM2mRQI, req.rqi));
  if (req.fr !== undefined) options.push(text(Opt.oneM2mFR, req.fr));
  if (req.rvi !== undefined) options.push(text(Opt.oneM2mRVI, req.rvi));
  if (req.ot !== undefined) options.push(text(Opt.oneM2mOT, req.ot));
  if (req.rqet !== undefined) options.push(text(Opt.oneM2mRQET, req.rqet));
  if (req.rset !== undefined) options.push(text(Opt.oneM2mRSET, req.rset));
  if (req.oet !== undefined) options.push(text(Opt.oneM2mOET, req.oet));
  if (req.gid !== undefined) options.push(text(Opt.oneM2mGID, req.gid));
  if (req.vsi !== undefined) options.push(text(Opt.oneM2mVSI, req.vsi));
  if (req.ec !== undefined) options.push({ number: Opt.oneM2mEC, value: encodeUint(req.ec) });
  if (req.ty !== undefined && req.op === Operation.CREATE)
    options.push({ number: Opt.oneM2mTY, value: encodeUint(req.ty) });
  if (req.rt?.nu !== undefined && req.rt.nu.length > 0) options.push(text(Opt.oneM2mRTURI, req.rt.nu.join('&')));
  if (req.aus !== undefined && req.aus.length > 0) options.push(text(Opt.oneM2mAUS, req.aus.join('+')));
  let payload = Buffer.alloc(0);
  if (req.pc !== undefined) {
    payload = Buffer.from(JSON.stringify(req.pc), 'utf8');
    options.push({ number: Opt.contentFormat, value: encodeUint(ContentFormat.json) });
  }
  return { code, options, payload };
}
