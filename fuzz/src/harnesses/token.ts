// oneM2M JWTs (TS-0003 7.3.2.5, 7.3.2.6): compact JWS and nested JWE tokens an originator presents. Besides
// crashes, a finding here is any changed token that verifies: a signature bypass. Seeds include the classic
// forgeries (alg none, HS256 keyed with the issuer's public key, an embedded jwk, a foreign kid).
import { KeyObject } from 'node:crypto';
import { issueToken, type TokenClaimSet, TokenError, TokenVerifier } from '@m2msec/authorization';
import * as fc from 'fast-check';
import { base64url, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { harness } from '../harness.js';
import { textInput } from '../mutate.js';

const now = new Date('2026-06-01T12:00:00Z');
const claims: TokenClaimSet = {
  tkvr: '1',
  tkid: 'tok-1@das.m2msec.org',
  tkis: '/id-in/CDas',
  tkhd: '//m2msec.org/id-in/Cmeter',
  tknb: '20260601T000000',
  tkna: '20260602T000000',
  tkau: ['//m2msec.org/id-in'],
  tkps: { pm: [{ ris: ['cnt1'], pv: { acr: [{ acor: ['all'], acop: 2 }] } }] },
};
const seeds: string[] = [];
let genuine = new Set<string>();
let verifier: TokenVerifier;

const enc = (o: unknown) => base64url.encode(JSON.stringify(o));
/** Each segment decoded and encoded again: the bytes a verifier sees. */
const canonical = (token: string) =>
  token
    .split('.')
    .map((seg) => Buffer.from(seg, 'base64url').toString('base64url'))
    .join('.');

class SignatureBypass extends Error {
  override name = 'SignatureBypass';
}

export default harness({
  name: 'token',
  parses: 'authorization TokenVerifier.verify (JWS / nested JWE, TS-0003 7.3.2.6.3)',
  input: fc.oneof(
    { weight: 8, arbitrary: fc.constant(0).chain(() => textInput(seeds)) },
    { weight: 1, arbitrary: fc.string() },
  ),
  async setup() {
    if (verifier) return;
    const das = await generateKeyPair('ES256', { extractable: true });
    const cse = await generateKeyPair('ECDH-ES+A256KW', { extractable: true });
    verifier = new TokenVerifier({
      idContext: { spId: 'm2msec.org', cseId: '/id-in' },
      issuers: [{ id: '//m2msec.org/id-in/CDas', keys: [das.publicKey], algorithms: ['ES256'] }],
      decryption: { keys: [cse.privateKey], keyManagementAlgorithms: ['ECDH-ES+A256KW'] },
    });
    const jws = await issueToken(claims, { signingKey: das.privateKey, alg: 'ES256' });
    const jwe = await issueToken(claims, {
      signingKey: das.privateKey,
      alg: 'ES256',
      encryptTo: { key: cse.publicKey, alg: 'ECDH-ES+A256KW', enc: 'A256GCM' },
    });
    genuine = new Set([jws, jwe].map(canonical));
    const [, payload] = jws.split('.');
    const spki = KeyObject.from(das.publicKey as never).export({ format: 'der', type: 'spki' });
    const hs = await new SignJWT(JSON.parse(Buffer.from(payload!, 'base64url').toString()))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new Uint8Array(spki));
    const attacker = await generateKeyPair('ES256', { extractable: true });
    const embedded = await new SignJWT(JSON.parse(Buffer.from(payload!, 'base64url').toString()))
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', jwk: await exportJWK(attacker.publicKey) })
      .sign(attacker.privateKey);
    seeds.push(
      jws,
      jwe,
      `${enc({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      hs,
      embedded,
      `${enc({ alg: 'ES256', kid: '../../x' })}.${payload}.AAAA`,
    );
  },
  async run(token) {
    await verifier.verify(token, { holder: '/id-in/Cmeter', now });
    // base64url is malleable in the unused low bits of a segment's last character: such a token decodes to the
    // very bytes that were signed, so it is the issued token, not a bypass.
    if (!genuine.has(canonical(token))) throw new SignatureBypass('a token that was not issued verified');
  },
  refusal: (e) => e instanceof TokenError,
});
