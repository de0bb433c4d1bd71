// The test-control ("upper tester") endpoint: off by default, Status / Reset / testCaseStart / testCaseEnd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InCseProcess, m2m, startInCse } from './harness.js';

const ut = (base: string, cmd: string) => fetch(`${base}/__ut__`, { method: 'POST', headers: { 'X-M2M-UTCMD': cmd } });

describe('upper tester enabled', () => {
  let cse: InCseProcess;
  beforeAll(async () => {
    cse = await startInCse({ store: 'sqlite', env: { M2MSEC_UPPER_TESTER: '1' } });
  });
  afterAll(() => cse?.stop());

  it('answers Status with RUNNING and logs test case boundaries', async () => {
    const s = await ut(cse.url, 'Status');
    expect(s.status).toBe(200);
    expect(s.headers.get('X-M2M-UTRSP')).toBe('RUNNING');
    expect((await ut(cse.url, 'testCaseStart TC_AE_REG_001')).headers.get('X-M2M-UTRSP')).toBe('ok');
    expect((await ut(cse.url, 'testCaseEnd TC_AE_REG_001')).headers.get('X-M2M-UTRSP')).toBe('ok');
  });

  it('Reset removes every resource below the CSEBase and keeps the CSEBase', async () => {
    const ae = await m2m(cse.url, 'POST', '/cse-in', {
      from: 'Cut',
      ty: 2,
      body: { 'm2m:ae': { api: 'Nut', rr: false, srv: ['3'] } },
    });
    expect(ae.rsc).toBe(2001);
    const r = await ut(cse.url, 'Reset');
    expect(r.headers.get('X-M2M-UTRSP')).toBe('ok');
    expect((await m2m(cse.url, 'GET', '/cse-in/Cut', { from: 'CAdmin' })).rsc).toBe(4004);
    expect((await m2m(cse.url, 'GET', '/cse-in', { from: 'CAdmin' })).rsc).toBe(2000);
  });

  it('refuses an unknown command with 400', async () => {
    const r = await ut(cse.url, 'Explode');
    expect(r.status).toBe(400);
    expect(r.headers.get('X-M2M-UTRSP')).toContain('unknown command');
  });
});

describe('upper tester disabled (default)', () => {
  let cse: InCseProcess;
  beforeAll(async () => {
    cse = await startInCse({ store: 'sqlite' });
  });
  afterAll(() => cse?.stop());

  it('does not exist: the path gets a oneM2M answer instead', async () => {
    const r = await ut(cse.url, 'Reset');
    expect(r.headers.get('X-M2M-UTRSP')).toBeNull();
    expect(r.headers.get('X-M2M-RSC')).not.toBeNull();
  });
});
