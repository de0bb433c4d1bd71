// Bulk provisioning: N PSK enrolees from a CSV at the MEF (PUT /admin/enrolees/psk/<KpmID>), one row
// at a time, with progress and a per-row result report. The whole CSV is checked before the first
// request (a malformed file provisions nothing); a row the MEF refuses is reported and the rest go on.
// Columns (header line required): kpmId,kpm,enroleeId,targetId,suid,enrolmentExpirySeconds
// kpm is 16-64 bytes of hex and never appears in a report, a log or the audit log.
import { ActionError } from './actions.js';
import type { MefClient } from './mef-client.js';

export const CSV_COLUMNS = ['kpmId', 'kpm', 'enroleeId', 'targetId', 'suid', 'enrolmentExpirySeconds'] as const;

export interface ProvisionRow {
  line: number;
  kpmId: string;
  kpm: string;
  enroleeId: string;
  targetId: string;
  suid: number;
  enrolmentExpirySeconds: number;
}

export interface RowResult {
  line: number;
  kpmId: string;
  enroleeId: string;
  ok: boolean;
  error?: string;
}

export interface BulkReport {
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  results: RowResult[];
  finished: boolean;
}

export function parseProvisioningCsv(text: string): ProvisionRow[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const header = lines[0]?.split(',').map((c) => c.trim());
  if (!header || header.join(',') !== CSV_COLUMNS.join(','))
    throw new ActionError(`the CSV header must be ${CSV_COLUMNS.join(',')}`, 400);
  const rows: ProvisionRow[] = [];
  const seen = new Set<string>();
  lines.slice(1).forEach((l, i) => {
    const line = i + 2;
    if (!l) return;
    if (l.includes('"')) throw new ActionError(`line ${line}: quoted fields are not supported`, 400);
    const f = l.split(',').map((c) => c.trim());
    if (f.length !== CSV_COLUMNS.length)
      throw new ActionError(`line ${line}: ${f.length} fields, expected ${CSV_COLUMNS.length}`, 400);
    const [kpmId, kpm, enroleeId, targetId, suid, exp] = f as [string, string, string, string, string, string];
    if (!/^[A-Za-z0-9._@-]{1,128}$/.test(kpmId)) throw new ActionError(`line ${line}: kpmId is not a KpmID`, 400);
    if (seen.has(kpmId)) throw new ActionError(`line ${line}: kpmId ${kpmId} repeated`, 400);
    seen.add(kpmId);
    if (!/^([0-9a-fA-F]{2}){16,64}$/.test(kpm))
      throw new ActionError(`line ${line}: kpm must be 16 to 64 bytes of hex`, 400);
    if (!enroleeId || !targetId) throw new ActionError(`line ${line}: enroleeId and targetId are required`, 400);
    if (!/^\d+$/.test(suid) || !/^\d+$/.test(exp))
      throw new ActionError(`line ${line}: suid and enrolmentExpirySeconds are integers`, 400);
    rows.push({ line, kpmId, kpm, enroleeId, targetId, suid: Number(suid), enrolmentExpirySeconds: Number(exp) });
  });
  if (rows.length === 0) throw new ActionError('the CSV has no rows', 400);
  return rows;
}

export async function provision(
  mef: MefClient,
  rows: ProvisionRow[],
  onProgress: (r: BulkReport) => void = () => {},
): Promise<BulkReport> {
  const report: BulkReport = { total: rows.length, done: 0, succeeded: 0, failed: 0, results: [], finished: false };
  onProgress(report);
  for (const row of rows) {
    const r = await mef
      .send('PUT', `/admin/enrolees/psk/${encodeURIComponent(row.kpmId)}`, {
        kpm: row.kpm,
        enroleeId: row.enroleeId,
        targets: [{ targetId: row.targetId, suid: row.suid }],
        enrolmentExpirySeconds: row.enrolmentExpirySeconds,
      })
      .catch(() => ({ status: 0, body: { error: 'the MEF could not be reached' } }));
    const ok = r.status === 200;
    report.results.push({
      line: row.line,
      kpmId: row.kpmId,
      enroleeId: row.enroleeId,
      ok,
      ...(ok ? {} : { error: `${r.status}: ${r.body?.error ?? 'refused'}` }),
    });
    report.done++;
    if (ok) report.succeeded++;
    else report.failed++;
    onProgress(report);
  }
  report.finished = true;
  onProgress(report);
  return report;
}
