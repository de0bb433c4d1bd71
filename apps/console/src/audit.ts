// The console's own audit log: one JSON line per action (sign-in, failure, lock-out, every view and
// change), appended before the answer leaves. Text is cut and control characters replaced (log
// injection); no password, TOTP code, cookie or token is ever recorded.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ConsoleAuditRecord {
  time: string;
  account: string;
  address: string;
  action: string;
  target?: string;
  outcome: 'ok' | 'refused' | 'failed';
  detail?: string;
}

export interface ConsoleAuditFilter {
  account?: string;
  action?: string;
  outcome?: string;
  since?: string;
  limit?: number;
}

const clean = (v: unknown): string =>
  String(v)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f]/g, '?')
    .slice(0, 256);

export class ConsoleAuditLog {
  readonly file: string;
  constructor(dataDir: string) {
    this.file = join(dataDir, 'console-audit.jsonl');
  }

  record(r: Omit<ConsoleAuditRecord, 'time'>): void {
    const out: Record<string, string> = { time: new Date().toISOString() };
    for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = clean(v);
    appendFileSync(this.file, `${JSON.stringify(out)}\n`, { mode: 0o600 });
  }

  query(f: ConsoleAuditFilter = {}): ConsoleAuditRecord[] {
    if (!existsSync(this.file)) return [];
    const all = readFileSync(this.file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ConsoleAuditRecord)
      .filter(
        (r) =>
          (!f.account || r.account === f.account) &&
          (!f.action || r.action === f.action) &&
          (!f.outcome || r.outcome === f.outcome) &&
          (!f.since || r.time >= f.since),
      );
    return all.slice(-(f.limit ?? 200)).reverse();
  }
}
