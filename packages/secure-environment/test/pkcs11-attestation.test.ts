// Provisioning proof held by the secure environment (DESIGN section 4): on PKCS#11 the attestation key
// is generated in the token as an EC-P256 key with CKA_SENSITIVE true and CKA_EXTRACTABLE false, so the
// signature the issuer verifies was made inside the token. The attributes are read back from the
// module in another process (pkcs11js) and by OpenSC's pkcs11-tool; reading the key value fails.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openPkcs11SecureEnvironment, verifyProvisioningAttestation } from '../src/index.js';
import { newSoftHsmToken } from './softhsm.js';

const here = dirname(fileURLToPath(import.meta.url));

function readAttributes(token: ReturnType<typeof newSoftHsmToken>, id: string) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(here, 'fixtures', 'read-key-attributes.ts'), JSON.stringify({ ...token, id })],
    { cwd: join(here, '..'), env: { ...process.env, SOFTHSM2_CONF: token.configPath }, timeout: 60_000 },
  );
  if (r.status !== 0) throw new Error(`attribute reader failed: ${r.stderr}`);
  return JSON.parse(r.stdout.toString()) as Array<Record<string, boolean | string>>;
}

function pkcs11Tool(token: ReturnType<typeof newSoftHsmToken>, args: string[]) {
  const r = spawnSync(
    'pkcs11-tool',
    ['--module', token.library, '--token-label', token.tokenLabel, '--login', '--pin', token.pin, ...args],
    { env: { ...process.env, SOFTHSM2_CONF: token.configPath }, timeout: 60_000 },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('provisioning proof held by the PKCS#11 SE (SoftHSM2)', () => {
  it('the attestation key is generated in the token, non-extractable and sensitive; its proof verifies with the public key only', async () => {
    const token = newSoftHsmToken();
    const se = await openPkcs11SecureEnvironment(token);
    const attestKey = await se.generateKey({ algorithm: 'EC-P256', usages: ['sign'], id: 'attest-ec' });
    // Negative control for the reader: a key created exportable does show CKA_EXTRACTABLE true.
    await se.generateKey({ algorithm: 'HMAC', usages: ['mac'], id: 'exportable-hmac', exportable: true });
    const registered = await se.getPublicKey(attestKey); // what the issuer keeps for this device

    const issuer = 'mef.m2msec.example';
    const nonce = new Uint8Array(16).fill(9);
    const operations = [
      {
        op: 'import-key' as const,
        spec: { id: 'K-token', algorithm: 'AES' as const, usages: ['mac' as const] },
        material: new Uint8Array(16).fill(1),
      },
      {
        op: 'write-credential' as const,
        label: 'dskpp/key-container/K-token',
        value: new TextEncoder().encode('<KeyContainer/>'),
      },
    ];
    const s = await se.beginProvisioning(issuer, attestKey);
    for (const op of operations) s.stage(op);
    const att = await s.commit(nonce);
    await se.close();

    expect(att.algorithm).toBe('ECDSA-P256-SHA256');
    expect(await verifyProvisioningAttestation(att, { issuer, nonce, operations }, { publicKey: registered })).toBe(
      true,
    );
    const forged = { ...att, mac: Buffer.alloc(64, 1).toString('base64url') };
    expect(await verifyProvisioningAttestation(forged, { issuer, nonce, operations }, { publicKey: registered })).toBe(
      false,
    );

    const [priv, ...rest] = readAttributes(token, 'attest-ec');
    expect(rest).toEqual([]);
    expect(priv).toEqual({
      class: 'private-key',
      valueReadable: false,
      extractable: false,
      sensitive: true,
      neverExtractable: true,
      alwaysSensitive: true,
      local: true, // generated in the token, never imported
    });
    expect(readAttributes(token, 'exportable-hmac')[0]).toMatchObject({ extractable: true });

    // The same facts as OpenSC's pkcs11-tool reports them.
    const list = pkcs11Tool(token, ['--list-objects', '--type', 'privkey']);
    expect(list.status, list.out).toBe(0);
    const entry = list.out.split(/\n(?=\S)/).find((o) => o.includes('"id":"attest-ec"')) ?? '';
    expect(entry).toMatch(/Access:\s+sensitive, always sensitive, never extractable, local/);
  });
});
