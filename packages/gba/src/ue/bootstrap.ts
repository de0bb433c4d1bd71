// The UE side of the Ub (TS 33.220 4.5.2, TS 24.109 5.3.2, RFC 3310): GET with the IMPI -> 401 AKA challenge
// -> AUTN verified by the USIM -> answer with RES as the Digest password (or AUTS on a sync failure, then
// the new challenge) -> 200 with B-TID and lifetime, whose Authentication-Info rspauth is checked too.
import { randomBytes } from 'node:crypto';
import type { Agent } from 'node:http';
import { constantTimeEqual } from '@m2msec/crypto';
import { type DigestInput, digestResponse, digestRspauth, type Qop } from '../digest/compute-digest.js';
import { parseDigestHeader, quote } from '../digest/parse-digest.js';
import { decodeBase64 } from '../lib/base64.js';
import { zeroise } from '../lib/bytes.js';
import { GbaError } from '../lib/errors.js';
import { type HttpResult, httpRequest } from '../lib/http-request.js';
import { checkImpi, parseBtid } from '../lib/validate.js';
import { BootstrapSession } from './bootstrap-session.js';
import { parseBootstrappingInfo } from './parse-bootstrapping-info.js';
import type { Usim } from './usim.js';

export interface BootstrapOptions {
  /** The BSF's Ub URL (http or https). */
  readonly url: string | URL;
  readonly impi: string;
  readonly usim: Usim;
  /** Realm hint for the first request; default the URL host name. */
  readonly realm?: string;
  /** Digest qop; default auth-int (TS 24.109 5.3.2). */
  readonly qop?: Qop;
  /** An http(s).Agent, e.g. keep-alive, or with the BSF's CA. */
  readonly agent?: Agent;
  /** How many AUTS resynchronisations to attempt; default 1. */
  readonly maxResynchronisations?: number;
  readonly timeoutMs?: number;
}

export async function bootstrap(options: BootstrapOptions): Promise<BootstrapSession> {
  const url = new URL(options.url);
  const impi = checkImpi(options.impi);
  const uri = `${url.pathname}${url.search}`;
  const qop = options.qop ?? 'auth-int';
  const get = (authorization: string) =>
    httpRequest(url, {
      method: 'GET',
      headers: { authorization },
      ...(options.agent ? { agent: options.agent } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });

  let answer = await get(
    `Digest username=${quote(impi)}, realm=${quote(options.realm ?? url.hostname)}, nonce="", uri=${quote(uri)}, response=""`,
  );
  let resyncs = options.maxResynchronisations ?? 1;
  for (;;) {
    const challenge = readChallenge(answer, qop);
    const rand = challenge.nonceBytes.subarray(0, 16);
    const outcome = options.usim.authenticate(rand, challenge.nonceBytes.subarray(16, 32));
    const input: DigestInput = {
      username: impi,
      realm: challenge.realm,
      password: outcome.kind === 'success' ? outcome.res : new Uint8Array(0),
      nonce: challenge.nonce,
      nc: '00000001',
      cnonce: randomBytes(16).toString('hex'),
      qop,
      uri,
    };
    const header =
      `Digest username=${quote(impi)}, realm=${quote(challenge.realm)}, nonce=${quote(challenge.nonce)}, ` +
      `uri=${quote(uri)}, qop=${qop}, nc=${input.nc}, cnonce=${quote(input.cnonce)}, ` +
      `response=${quote(digestResponse(input, 'GET'))}, algorithm=AKAv1-MD5`;
    if (outcome.kind === 'sync-failure') {
      if (resyncs-- <= 0)
        throw new GbaError(409, 'ERR_SYNC_FAILURE', 'sequence numbers still out of range after resynchronisation');
      answer = await get(`${header}, auts=${quote(outcome.auts.toString('base64'))}`);
      continue;
    }
    try {
      answer = await get(header);
      if (answer.status !== 200) throw refused(answer);
      checkRspauth(answer, input);
      const info = parseBootstrappingInfo(answer.body.toString('utf8'));
      const btid = parseBtid(info.btid, 502);
      if (!btid.rand.equals(rand)) throw new GbaError(502, 'ERR_PROTOCOL', "the B-TID does not carry this run's RAND");
      return new BootstrapSession(
        info.btid,
        impi,
        Buffer.from(rand),
        Buffer.concat([outcome.ck, outcome.ik]),
        info.lifetime,
      );
    } finally {
      zeroise(outcome.res, outcome.ck, outcome.ik);
    }
  }
}

function readChallenge(answer: HttpResult, qop: Qop): { realm: string; nonce: string; nonceBytes: Buffer } {
  if (answer.status !== 401) throw refused(answer);
  const header = answer.headers['www-authenticate'];
  if (typeof header !== 'string') throw protocol('401 without a WWW-Authenticate: Digest challenge');
  const p = parseDigestHeader(header, 'WWW-Authenticate');
  if (p.get('algorithm')?.toLowerCase() !== 'akav1-md5') throw protocol('challenge algorithm is not AKAv1-MD5');
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (!realm || !nonce) throw protocol('challenge lacks realm or nonce');
  const offered = (p.get('qop') ?? '').split(',').map((s) => s.trim());
  if (!offered.includes(qop)) throw protocol(`the BSF does not offer qop=${qop}`);
  const nonceBytes = decodeBase64(nonce, 'nonce');
  if (nonceBytes.length < 32) throw protocol('nonce is shorter than RAND || AUTN');
  return { realm, nonce, nonceBytes };
}

/** RFC 2617 3.2.3: rspauth proves the BSF knew RES and binds the B-TID body (auth-int). */
function checkRspauth(answer: HttpResult, input: DigestInput): void {
  const info = answer.headers['authentication-info'];
  if (typeof info !== 'string') throw protocol('200 without Authentication-Info');
  const p = parseDigestHeader(`Digest ${info}`, 'Authentication-Info');
  const rspauth = p.get('rspauth') ?? '';
  const expected = digestRspauth(input, answer.body);
  if (p.get('cnonce') !== input.cnonce || !constantTimeEqual(Buffer.from(rspauth), Buffer.from(expected))) {
    throw new GbaError(502, 'ERR_BSF_AUTHENTICATION', 'Authentication-Info rspauth does not verify');
  }
}

function refused(answer: HttpResult): GbaError {
  const text = answer.body.toString('utf8').split('\n')[0]!.slice(0, 200);
  const code = answer.status === 403 ? 'ERR_AUTHENTICATION_FAILED' : 'ERR_PROTOCOL';
  return new GbaError(answer.status || 502, code, `BSF answered ${answer.status}: ${text}`);
}

const protocol = (why: string) => new GbaError(502, 'ERR_PROTOCOL', why);
