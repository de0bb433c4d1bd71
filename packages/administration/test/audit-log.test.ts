// The audit log: store-backed (survives a reopen), identifiers only, free text cleaned, queries by
// kind / time / count; the audited handler records admin actions and authentication failures.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestHandler } from '@m2msec/protocol';
import { openSqliteStore } from '@m2msec/store';
import { describe, expect, it } from 'vitest';
import { Administrators, AUDIT_COLLECTION, AuditLog, auditedHandler } from '../src/index.js';

const idContext = { spId: 'm2msec.org', cseId: '/id-in' };

describe('AuditLog', () => {
  it('persists records, cleans text, and answers queries newest-last', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'm2msec-audit-')), 'a.db');
    let t = Date.parse('2026-01-01T00:00:00Z');
    const store = await openSqliteStore({ file });
    const log = new AuditLog(store.collection(AUDIT_COLLECTION), () => {
      t += 1000;
      return new Date(t);
    });
    await log.record({ kind: 'authentication-failure', originator: 'Cx\r\nforged line', reason: 'r'.repeat(400) });
    await log.record({ kind: 'administrative-action', administrator: 'ops', op: 2, to: 'cse-in', rsc: 2000 });
    const extra = { kind: 'authentication-failure', body: 'secret' } as unknown as Parameters<AuditLog['record']>[0];
    await log.record(extra);
    await store.close();

    const reopened = await openSqliteStore({ file });
    const again = new AuditLog(reopened.collection(AUDIT_COLLECTION));
    const all = await again.query();
    expect(all.map((e) => e.kind)).toEqual([
      'authentication-failure',
      'administrative-action',
      'authentication-failure',
    ]);
    expect(all[0]!.originator).toBe('Cx??forged line');
    expect(all[0]!.reason!.length).toBeLessThanOrEqual(257);
    expect(JSON.stringify(all)).not.toContain('secret');
    expect((await again.query({ kind: 'administrative-action' })).map((e) => e.administrator)).toEqual(['ops']);
    expect(await again.query({ since: new Date('2026-01-01T00:00:02.500Z') })).toHaveLength(1);
    expect((await again.query({ limit: 2 }))[0]!.kind).toBe('administrative-action');
    await reopened.close();
  });

  it('auditedHandler records administrator requests and 4106/4107 refusals, nothing else', async () => {
    const store = await openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'm2msec-audit-')), 'a.db') });
    const audit = new AuditLog(store.collection(AUDIT_COLLECTION));
    const administrators = new Administrators({
      idContext,
      principals: [{ name: 'ops', originator: 'CAdmin', credential: { credentialId: '12-ops' } }],
    });
    const answers: Record<string, number> = { CAdmin: 2000, Cintruder: 4106, Cplain: 4107, Cok: 2000 };
    const inner: RequestHandler = async (req) => ({
      rsc: answers[req.fr as string] as never,
      rqi: req.rqi,
      dbg: 'why',
    });
    const h = auditedHandler(inner, { administrators, audit, idContext, channel: 'https-psk' });
    const assoc = { boundIds: [], credentialId: '12-ops', framework: 'psk' };
    await h({ op: 2, to: 'cse-in', fr: 'CAdmin', rqi: '1', rvi: '3' }, { binding: 'http', association: assoc });
    await h(
      { op: 2, to: 'cse-in', fr: 'Cintruder', rqi: '2', rvi: '3' },
      { binding: 'http', peerAddress: '127.0.0.1' },
    );
    await h({ op: 2, to: 'cse-in', fr: 'Cplain', rqi: '3', rvi: '3' }, { binding: 'http' });
    await h({ op: 2, to: 'cse-in', fr: 'Cok', rqi: '4', rvi: '3' }, { binding: 'http' });
    // CAdmin from a plain connection is no administrator: not an administrative action.
    await h({ op: 2, to: 'cse-in', fr: 'CAdmin', rqi: '5', rvi: '3' }, { binding: 'http', peerAddress: '127.0.0.1' });
    const events = await audit.query();
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({
      kind: 'administrative-action',
      administrator: 'ops',
      credential: 'credentialId:12-ops',
      originator: '/id-in/CAdmin',
      rsc: 2000,
      channel: 'https-psk',
    });
    expect(events[1]).toMatchObject({ kind: 'authentication-failure', originator: '/id-in/Cintruder', rsc: 4106 });
    expect(events[2]).toMatchObject({ kind: 'authentication-failure', rsc: 4107, reason: 'why' });
    await store.close();
  });
});
