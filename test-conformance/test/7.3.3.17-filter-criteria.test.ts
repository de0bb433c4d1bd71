// TS-0004 7.3.3.14 (resource discovery) and 7.3.3.17 (filter criteria): conditions apply to all
// descendants of the target, not only its children; lvl, lim, ofst, fo, drt.
import { expect } from 'vitest';
import { clause, conformance, registerAe } from '../src/harness.js';

conformance('7.3.3.17 filter criteria, 7.3.3.14 discovery', {}, (cse) => {
  // <AE>/c1/i1 (lbl a), <AE>/c1/c2/i2 (lbl b)
  const tree = async () => {
    const ae = await registerAe(cse());
    const post = async (path: string, ty: number, body: unknown) => {
      const r = await cse().req('POST', path, { from: ae.aei, ty, body });
      expect(r.rsc, JSON.stringify(r.body)).toBe(2001);
      return r;
    };
    await post(ae.path, 3, { 'm2m:cnt': { rn: 'c1', lbl: ['a'] } });
    await post(`${ae.path}/c1`, 4, { 'm2m:cin': { rn: 'i1', con: 'one', lbl: ['a'] } });
    await post(`${ae.path}/c1`, 3, { 'm2m:cnt': { rn: 'c2' } });
    await post(`${ae.path}/c1/c2`, 4, { 'm2m:cin': { rn: 'i2', con: 'two', lbl: ['b'] } });
    const get = async (query: string) => {
      const r = await cse().req('GET', `${ae.path}?${query}`, { from: ae.aei });
      expect(r.rsc, JSON.stringify(r.body)).toBe(2000);
      return r.body;
    };
    return { ae, get };
  };
  const names = (uril: string[]) => uril.map((u) => u.split('/').at(-1)).sort();

  clause('7.3.3.14', 'discovery (fu=1) returns m2m:uril of matching descendants at every depth', async () => {
    const { get } = await tree();
    expect(names((await get('fu=1&ty=4'))['m2m:uril'])).toEqual(['i1', 'i2']);
  });

  clause('7.3.3.17.6', 'rcn=4 with ty covers descendants below the children', async () => {
    const { get } = await tree();
    const text = JSON.stringify(await get('rcn=4&ty=4'));
    expect(text).toContain('"con":"one"');
    expect(text).toContain('"con":"two"');
  });

  clause('7.3.3.17.14', 'lvl limits the depth of the search', async () => {
    const { get } = await tree();
    expect(names((await get('fu=1&ty=4&lvl=2'))['m2m:uril'])).toEqual(['i1']);
  });

  clause(
    '7.3.3.17.10',
    'lim caps the number of results; ofst 2 starts at the second (1 is the first, 7.3.3.17.15)',
    async () => {
      const { get } = await tree();
      const all = (await get('fu=1&ty=4'))['m2m:uril'] as string[];
      const first = (await get('fu=1&ty=4&lim=1'))['m2m:uril'] as string[];
      expect(first).toHaveLength(1);
      // Paging: the page after the first holds the other result (the same order both times).
      expect((await get('fu=1&ty=4&lim=1&ofst=1'))['m2m:uril']).toEqual(first);
      const second = (await get('fu=1&ty=4&lim=1&ofst=2'))['m2m:uril'] as string[];
      expect(second).toHaveLength(1);
      expect([...first, ...second].sort()).toEqual([...all].sort());
    },
  );

  clause('7.3.3.17.5', 'lbl selects descendants by label', async () => {
    const { get } = await tree();
    expect(names((await get('fu=1&lbl=b'))['m2m:uril'])).toEqual(['i2']);
  });

  clause('7.3.3.17.12', 'fo=2 (OR) combines conditions of different attributes', async () => {
    const { get } = await tree();
    expect(names((await get('fu=1&lbl=b&ty=3&fo=2'))['m2m:uril'])).toEqual(['c1', 'c2', 'i2']);
    expect(names((await get('fu=1&lbl=a&ty=3'))['m2m:uril'])).toEqual(['c1']);
  });

  clause('7.3.3.17.11', 'drt=2 returns unstructured resource IDs', async () => {
    const { get } = await tree();
    const structured = (await get('fu=1&ty=4'))['m2m:uril'] as string[];
    const ids = (await get('fu=1&ty=4&drt=2'))['m2m:uril'] as string[];
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      expect(structured).not.toContain(id);
      expect(id.split('/').length).toBeLessThanOrEqual(2);
    }
  });

  clause('7.3.3.17.7', 'sza / szb select instances by contentSize', async () => {
    const { get } = await tree();
    expect(names((await get('fu=1&ty=4&sza=3&szb=4'))['m2m:uril'])).toEqual(['i1', 'i2']);
    expect(names((await get('fu=1&ty=4&sza=4'))['m2m:uril'])).toEqual([]);
  });

  clause('7.3.3.17.1', 'cra / crb select by creationTime', async () => {
    const { get } = await tree();
    expect(names((await get('fu=1&ty=4&crb=20000101T000000'))['m2m:uril'])).toEqual([]);
    expect(names((await get('fu=1&ty=4&cra=20000101T000000'))['m2m:uril'])).toEqual(['i1', 'i2']);
  });

  clause('7.3.3.17.9', 'an attribute condition (TS-0009 6.2.2.2: short name = value) selects descendants', async () => {
    const { get } = await tree();
    expect(names((await get('fu=1&con=two'))['m2m:uril'])).toEqual(['i2']);
    expect(names((await get('fu=1&rn=c*'))['m2m:uril'])).toEqual(['c1', 'c2']);
  });

  clause('7.3.3.17.0', 'rcn=6 (child resource references) lists descendants that match, as m2m:rrl', async () => {
    const { get } = await tree();
    const rrl = (await get('rcn=6&ty=4'))['m2m:rrl'].rrf as Array<{ nm: string; typ: number }>;
    expect(rrl.map((r) => r.nm).sort()).toEqual(['i1', 'i2']);
    expect(rrl.every((r) => r.typ === 4)).toBe(true);
  });
});
