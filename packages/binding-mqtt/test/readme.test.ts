// Runs the README example as a program against a private mosquitto (certificate listener, topic ACL as
// infra/mosquitto writes it): only the broker URL and the folder of PEM files are swapped in.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeExample } from '@m2msec/test-support';
import { expect, it } from 'vitest';
import { startBroker } from './helpers/broker.js';

it('README example: a CSE over MQTT, an AE registers and reads its <AE> through mosquitto', async () => {
  const broker = await startBroker({ cses: [{ username: 'id-in', cseId: '/id-in' }] });
  const pki = mkdtempSync(join(tmpdir(), 'm2msec-mqtt-readme-'));
  try {
    writeFileSync(join(pki, 'ca.crt'), broker.pki.ca);
    for (const cn of ['id-in', 'Cae1']) {
      const { cert, key } = broker.pki.client(cn);
      writeFileSync(join(pki, `${cn}.crt`), cert);
      writeFileSync(join(pki, `${cn}.key`), key);
    }
    const swap = (code: string) => {
      expect(code).toContain("'mqtts://localhost:8883'");
      expect(code).toContain("join('pki', file)");
      return code
        .replace("'mqtts://localhost:8883'", JSON.stringify(broker.tlsUrl))
        .replace("join('pki', file)", `join(${JSON.stringify(pki)}, file)`);
    };
    const r = await runReadmeExample(fileURLToPath(new URL('..', import.meta.url)), {
      section: 'Example',
      transform: swap,
      timeoutMs: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('2001 2000 Cae1');
  } finally {
    rmSync(pki, { recursive: true, force: true });
    await broker.stop();
  }
}, 180_000);
