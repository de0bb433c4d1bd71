// The console's operations listener (issue 19 item 3): /metrics, /healthz and /readyz on their own
// loopback port (opsListener or M2MSEC_OPS_PORT), like every other long-running program. Ready means the
// console can do its work: its data directory (accounts, sessions' audit) is writable and the IN-CSE's
// certificate listener accepts connections.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { connect } from 'node:net';
import { type AdminListener, Metrics, startAdminListener } from '@m2msec/observability';
import type { ConsoleConfig } from './config.js';

function reachable(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('error', (e) =>
      reject(new Error(`IN-CSE ${host}:${port} not reachable (${(e as { code?: string }).code})`)),
    );
  });
}

export async function startConsoleOps(config: ConsoleConfig): Promise<AdminListener | undefined> {
  if (!config.opsListener) return undefined;
  const url = new URL(config.inCse.url);
  const host = config.inCse.connectAddress ?? url.hostname;
  const port = Number(url.port || 443);
  return startAdminListener({
    ...config.opsListener,
    metrics: new Metrics({ app: 'console' }),
    checks: {
      dataDir: () => access(config.dataDir, constants.W_OK),
      inCse: () => reachable(host, port),
    },
  });
}
