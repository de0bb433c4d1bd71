// The Enrolment Exchange is bound to the MEF Handshake it began on (TS-0003 8.3.2.1: one exchange per
// handshake), now that the shared HTTP edge reports the session as a TlsContext instead of a socket:
// a second exchange on the same connection is refused, and another handshake with the same Kpm cannot
// continue the first one (its KeID and attestation key come from the first session's exporter).
import https from 'node:https';
import { Suid } from '@m2msec/crypto';
import { mefHandshakeOptions } from '@m2msec/rspf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex, MEF_FQDN, startTestMef, type TestMef } from './helpers.js';

const indications = {
  certificateEnrolmentIndication: false,
  mafEnrolmentIndication: false,
  remoteManagementIndication: false,
};

function post(agent: https.Agent, url: string, body: unknown): Promise<{ status: number; rsc: string; json: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            rsc: String(res.headers['x-m2m-rsc']),
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('Enrolment Exchange bound to its MEF Handshake (behind the shared HTTP edge)', () => {
  let t: TestMef;
  const kpm = hex();
  beforeAll(async () => {
    t = await startTestMef();
    const r = await t.admin('PUT', '/admin/enrolees/psk/kpm-hs', {
      kpm,
      enroleeId: 'Cdevice-hs',
      targets: [{ targetId: '/id-in', suid: Suid.RspfSaef }],
      enrolmentExpirySeconds: 3600,
    });
    expect(r.status).toBe(200);
  });
  afterAll(() => t?.close());

  const agent = async () =>
    new https.Agent({
      keepAlive: true,
      maxSockets: 1,
      ...(await mefHandshakeOptions({ kind: 'psk', kpmId: 'kpm-hs', kpm: Buffer.from(kpm, 'hex') }, MEF_FQDN)),
    });

  it('a second exchange on the same handshake is refused; another handshake cannot continue the first', async () => {
    const one = await agent();
    const first = await post(one, `${t.mef.urls.psk}/mef/enrolment`, indications);
    expect(first.rsc, JSON.stringify(first.json)).toBe('2001');
    const id = first.json.enrolmentID as string;
    expect(id).toBeTruthy();

    const again = await post(one, `${t.mef.urls.psk}/mef/enrolment`, indications);
    expect(again.rsc).toBe('4105');
    expect(again.json.code).toBe('CONFLICT');
    expect(again.json['m2m:dbg']).toMatch(/already ran on this MEF Handshake/);

    const two = await agent();
    const stolen = await post(two, `${t.mef.urls.psk}/mef/enrolment/${encodeURIComponent(id)}/attestation`, {
      attestation: 'AAAA',
      removed: [],
    });
    expect(stolen.rsc).toBe('4004');
    expect(stolen.json['m2m:dbg']).toMatch(/on this MEF Handshake/);

    // On its own handshake the exchange is found: a forged attestation is refused as forged, not as unknown.
    const forged = await post(one, `${t.mef.urls.psk}/mef/enrolment/${encodeURIComponent(id)}/attestation`, {
      attestation: 'AAAA',
      removed: [],
    });
    expect(forged.rsc).not.toBe('2000');
    expect(forged.json['m2m:dbg']).not.toMatch(/no enrolment exchange/);
    one.destroy();
    two.destroy();
  });
});
