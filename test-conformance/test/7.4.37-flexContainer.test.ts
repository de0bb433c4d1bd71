// TS-0004 7.4.37 <flexContainer>: validation against the containerDefinition, contentSize, stateTag.
import { expect } from 'vitest';
import { clause, conformance, registerAe } from '../src/harness.js';

conformance('7.4.37 <flexContainer>', {}, (cse) => {
  const sw = { rn: 'switch', cnd: 'org.onem2m.common.moduleclass.binarySwitch', powSe: true };

  clause(
    '7.4.37.2.1',
    'a known containerDefinition is created with contentSize; an unknown one gets 4125',
    async () => {
      const ae = await registerAe(cse());
      const ok = await cse().req('POST', ae.path, { from: ae.aei, ty: 28, body: { 'cod:binSh': sw } });
      expect(ok.rsc, JSON.stringify(ok.body)).toBe(2001);
      expect(ok.body['cod:binSh']).toMatchObject({ ty: 28, powSe: true, cs: 4 });
      const unknown = await cse().req('POST', ae.path, {
        from: ae.aei,
        ty: 28,
        body: { 'x:y': { cnd: 'org.example.none' } },
      });
      expect(unknown.rsc).toBe(4125);
    },
  );

  clause('7.4.37.2.1', 'a custom attribute the definition does not list, or of the wrong type, gets 4000', async () => {
    const ae = await registerAe(cse());
    const extra = await cse().req('POST', ae.path, { from: ae.aei, ty: 28, body: { 'cod:binSh': { ...sw, foo: 1 } } });
    expect(extra.rsc).toBe(4000);
    const typed = await cse().req('POST', ae.path, {
      from: ae.aei,
      ty: 28,
      body: { 'cod:binSh': { ...sw, powSe: 'yes' } },
    });
    expect(typed.rsc).toBe(4000);
  });

  clause('7.4.37.2.3', 'UPDATE of a custom attribute increments stateTag; cnd cannot be changed (4000)', async () => {
    const ae = await registerAe(cse());
    const c = await cse().req('POST', ae.path, { from: ae.aei, ty: 28, body: { 'cod:binSh': sw } });
    const st = c.body['cod:binSh'].st as number;
    const u = await cse().req('PUT', `${ae.path}/switch`, { from: ae.aei, body: { 'cod:binSh': { powSe: false } } });
    expect(u.rsc).toBe(2004);
    expect(u.body['cod:binSh']).toMatchObject({ powSe: false, st: st + 1 });
    const cnd = await cse().req('PUT', `${ae.path}/switch`, {
      from: ae.aei,
      body: { 'cod:binSh': { cnd: 'org.onem2m.common.moduleclass.temperature' } },
    });
    expect(cnd.rsc).toBe(4000);
  });
});
