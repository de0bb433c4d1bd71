import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isLocalTarget,
  M2MError,
  parseOriginator,
  parseTarget,
  toAbsoluteOriginator,
  toSpRelativeOriginator,
} from '../src/index.js';
import { expectM2M } from './helpers.js';

const ctx = { spId: 'm2msec.org', cseId: '/id-in' };

describe('parseTarget (TS-0001 Table 7.2-1 resource identifiers)', () => {
  it('CSE-relative structured and unstructured', () => {
    expect(parseTarget('cse-in/ae1/cnt')).toEqual({ scope: 'cse-relative', path: 'cse-in/ae1/cnt' });
    expect(parseTarget('cnt7788')).toEqual({ scope: 'cse-relative', path: 'cnt7788' });
    expect(parseTarget('-/ae1')).toEqual({ scope: 'cse-relative', path: '-/ae1' });
  });
  it('SP-relative, with and without a path', () => {
    expect(parseTarget('/id-in/cse-in/ae1')).toEqual({ scope: 'sp-relative', cseId: '/id-in', path: 'cse-in/ae1' });
    expect(parseTarget('/id-in')).toEqual({ scope: 'sp-relative', cseId: '/id-in', path: '' });
  });
  it('absolute, with and without a path', () => {
    expect(parseTarget('//m2msec.org/id-in/cse-in')).toEqual({
      scope: 'absolute',
      spId: 'm2msec.org',
      cseId: '/id-in',
      path: 'cse-in',
    });
    expect(parseTarget('//m2msec.org/id-in')).toEqual({
      scope: 'absolute',
      spId: 'm2msec.org',
      cseId: '/id-in',
      path: '',
    });
  });
  it('rejects absolute IDs without a CSE-ID', () => {
    expectM2M(() => parseTarget('//m2msec.org'), 4000, 'absolute form needs //{SP-ID}/{CSE-ID}');
    expectM2M(() => parseTarget('//m2msec.org/'), 4000, 'empty path segment');
    expectM2M(() => parseTarget('//'), 4000, /malformed/);
  });
  it('rejects empty IDs and empty segments', () => {
    expectM2M(() => parseTarget(''), 4000, "to '' is malformed: missing");
    expectM2M(() => parseTarget('/'), 4000, 'empty path segment');
    expectM2M(() => parseTarget('a//b'), 4000, 'empty path segment');
    expectM2M(() => parseTarget('a/b/'), 4000, 'empty path segment');
    expectM2M(() => parseTarget('///x'), 4000, 'empty path segment');
  });
  it('rejects characters outside RFC 3986 unreserved and dot segments', () => {
    for (const bad of ['a b', 'a?b', 'a#b', 'a%20b', 'ä', 'a:b', 'a@b', 'x\u0000']) {
      expectM2M(() => parseTarget(bad), 4000, 'outside RFC 3986 unreserved');
    }
    expectM2M(() => parseTarget('cse-in/../x'), 4000, "dot segment '..'");
    expectM2M(() => parseTarget('/id-in/.'), 4000, "dot segment '.'");
    expect(parseTarget('a.b/..c').path).toBe('a.b/..c');
  });
  it('names the field and bounds the echoed value', () => {
    const e = expectM2M(() => parseTarget(`${'x'.repeat(500)} `, 'nu'), 4000, /^nu '/);
    expect(e.message.length).toBeLessThan(250);
    expectM2M(() => parseTarget(42 as unknown as string), 4000, "to '42' is malformed: missing");
  });
  it('never throws anything but M2MError 4000 (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[/a-z.~_-]{0,12}$/)), (s) => {
        try {
          const t = parseTarget(s);
          expect(['cse-relative', 'sp-relative', 'absolute']).toContain(t.scope);
          expect(t.path.startsWith('/')).toBe(false);
        } catch (e) {
          expect(e).toBeInstanceOf(M2MError);
          expect((e as M2MError).rsc).toBe(4000);
        }
      }),
    );
  });
});

describe('parseOriginator (TS-0001 Table 7.2-1 CSE-ID / AE-ID)', () => {
  it('classifies every form', () => {
    expect(parseOriginator('Cae1')).toMatchObject({ kind: 'ae-c', scope: 'cse-relative', stem: 'Cae1' });
    expect(parseOriginator('Sae1')).toMatchObject({ kind: 'ae-s', scope: 'cse-relative', stem: 'Sae1' });
    expect(parseOriginator('myapp')).toMatchObject({ kind: 'other', scope: 'cse-relative', stem: undefined });
    expect(parseOriginator('/id-mn')).toMatchObject({ kind: 'cse', scope: 'sp-relative', cseId: '/id-mn' });
    expect(parseOriginator('/Sae1')).toMatchObject({ kind: 'ae-s', scope: 'sp-relative', stem: 'Sae1' });
    expect(parseOriginator('/id-mn/Cae1')).toMatchObject({
      kind: 'ae-c',
      scope: 'sp-relative',
      cseId: '/id-mn',
      stem: 'Cae1',
    });
    expect(parseOriginator('//x.org/id-mn')).toMatchObject({
      kind: 'cse',
      scope: 'absolute',
      spId: 'x.org',
      cseId: '/id-mn',
    });
    expect(parseOriginator('//x.org/Sae1')).toMatchObject({
      kind: 'ae-s',
      scope: 'absolute',
      spId: 'x.org',
      stem: 'Sae1',
    });
    expect(parseOriginator('//x.org/id-mn/Cae1')).toMatchObject({
      kind: 'ae-c',
      scope: 'absolute',
      cseId: '/id-mn',
      stem: 'Cae1',
    });
  });
  it('rejects malformed originators', () => {
    expectM2M(() => parseOriginator(''), 4000, "from '' is malformed: missing");
    expectM2M(() => parseOriginator('//x.org'), 4000, 'absolute form needs');
    expectM2M(() => parseOriginator('//x.org/'), 4000, 'empty path segment');
    expectM2M(() => parseOriginator('/id-mn/Sae1'), 4000, 'not a CSE-ID or AE-ID form');
    expectM2M(() => parseOriginator('/id-mn/Cae1/x'), 4000, 'not a CSE-ID or AE-ID form');
    expectM2M(() => parseOriginator('Cae 1'), 4000, 'outside RFC 3986 unreserved');
    expectM2M(() => parseOriginator('a/b'), 4000, 'outside RFC 3986 unreserved');
    expectM2M(() => parseOriginator('/'), 4000, 'empty path segment');
    expectM2M(() => parseOriginator('..'), 4000, 'dot segment');
  });
  it('normalises to SP-relative and absolute forms', () => {
    expect(toSpRelativeOriginator(parseOriginator('Cae1'), ctx)).toBe('/id-in/Cae1');
    expect(toSpRelativeOriginator(parseOriginator('Sae1'), ctx)).toBe('/Sae1');
    expect(toSpRelativeOriginator(parseOriginator('//m2msec.org/id-mn/Cae1'), ctx)).toBe('/id-mn/Cae1');
    expect(toSpRelativeOriginator(parseOriginator('//other.org/id-mn'), ctx)).toBe('//other.org/id-mn');
    expect(toAbsoluteOriginator(parseOriginator('/id-mn'), ctx)).toBe('//m2msec.org/id-mn');
    expect(toAbsoluteOriginator(parseOriginator('Cae1'), ctx)).toBe('//m2msec.org/id-in/Cae1');
    expect(toAbsoluteOriginator(parseOriginator('myapp'), ctx)).toBe('myapp');
  });
  it('never throws anything but M2MError 4000 (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[/CSa-z.-]{0,10}$/)), (s) => {
        try {
          parseOriginator(s);
        } catch (e) {
          expect(e).toBeInstanceOf(M2MError);
          expect((e as M2MError).rsc).toBe(4000);
        }
      }),
    );
  });
});

describe('isLocalTarget', () => {
  it('decides by SP-ID and CSE-ID', () => {
    expect(isLocalTarget(parseTarget('cse-in/x'), ctx)).toBe(true);
    expect(isLocalTarget(parseTarget('/id-in/cse-in'), ctx)).toBe(true);
    expect(isLocalTarget(parseTarget('/id-mn/cse-mn'), ctx)).toBe(false);
    expect(isLocalTarget(parseTarget('//m2msec.org/id-in/x'), ctx)).toBe(true);
    expect(isLocalTarget(parseTarget('//other.org/id-in/x'), ctx)).toBe(false);
  });
});
