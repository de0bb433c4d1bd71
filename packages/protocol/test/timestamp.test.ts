import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatTimestamp,
  isAbsRelTimestamp,
  isTimestamp,
  M2MError,
  parseAbsRelTimestamp,
  parseTimestamp,
} from '../src/index.js';

function expect4000(f: () => unknown, text: string | RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(M2MError);
    expect((e as M2MError).rsc).toBe(4000);
    expect((e as M2MError).message).toMatch(text);
    return;
  }
  throw new Error('expected an M2MError 4000');
}

describe('formatTimestamp', () => {
  it('formats the TS-0004 6.3.3 example in UTC', () => {
    expect(formatTimestamp(new Date(Date.UTC(2014, 9, 3, 11, 20, 32)))).toBe('20141003T112032');
  });
  it('pads small years and fields', () => {
    const d = new Date(0);
    d.setUTCFullYear(7, 0, 2);
    d.setUTCHours(3, 4, 5, 6);
    expect(formatTimestamp(d)).toBe('00070102T030405');
    expect(formatTimestamp(d, { fraction: true })).toBe('00070102T030405,006000');
  });
  it('rejects an invalid Date', () => {
    expect(() => formatTimestamp(new Date(Number.NaN))).toThrow(RangeError);
  });
  it('rejects years outside 0000..9999', () => {
    expect(() => formatTimestamp(new Date(Date.UTC(10000, 0, 1)))).toThrow(RangeError);
  });
});

describe('parseTimestamp', () => {
  it('parses the basic format as UTC', () => {
    expect(parseTimestamp('20141003T112032').toISOString()).toBe('2014-10-03T11:20:32.000Z');
  });
  it('accepts 1..6 fraction digits after a comma, truncating below milliseconds', () => {
    expect(parseTimestamp('20141003T112032,5').getUTCMilliseconds()).toBe(500);
    expect(parseTimestamp('20141003T112032,123').getUTCMilliseconds()).toBe(123);
    expect(parseTimestamp('20141003T112032,123999').getUTCMilliseconds()).toBe(123);
  });
  it('accepts leap days and rejects impossible dates', () => {
    expect(parseTimestamp('20240229T000000').toISOString()).toBe('2024-02-29T00:00:00.000Z');
    for (const bad of [
      '20230229T000000',
      '20141301T000000',
      '20141000T000000',
      '20141032T000000',
      '20141003T240000',
      '20141003T116000',
      '20141003T112060',
    ]) {
      expect4000(() => parseTimestamp(bad, 'et'), `et '${bad}'`);
    }
  });
  it('rejects zones, reduced forms, extended format, periods and too many fraction digits', () => {
    for (const bad of [
      '20141003T112032Z',
      '20141003T112032+01',
      '20141003T1120',
      '20141003',
      '2014-10-03T11:20:32',
      '20141003T112032.5',
      '20141003T112032,1234567',
      '20141003T112032,',
      ' 20141003T112032',
      '20141003t112032',
      '',
    ]) {
      expect4000(() => parseTimestamp(bad), /is not an m2m:timestamp/);
    }
  });
  it('rejects non-strings', () => {
    expect4000(() => parseTimestamp(20141003 as unknown as string, 'cra'), "cra '20141003'");
    expect4000(() => parseTimestamp(null), /not an m2m:timestamp/);
    expect(isTimestamp(undefined)).toBe(false);
    expect(isTimestamp('20141003T112032')).toBe(true);
  });
  it('round-trips every instant with whole milliseconds (property)', () => {
    const dates = fc.date({
      min: new Date('0000-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(dates, (d) => {
        expect(parseTimestamp(formatTimestamp(d, { fraction: true })).getTime()).toBe(d.getTime());
        expect(parseTimestamp(formatTimestamp(d)).getTime()).toBe(d.getTime() - d.getUTCMilliseconds());
      }),
    );
  });
  it('never throws anything but M2MError 4000 on arbitrary strings (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseTimestamp(s);
        } catch (e) {
          expect(e).toBeInstanceOf(M2MError);
          expect((e as M2MError).rsc).toBe(4000);
        }
      }),
    );
  });
});

describe('parseAbsRelTimestamp', () => {
  const now = new Date(Date.UTC(2020, 0, 1, 0, 0, 0));
  it('takes an absolute m2m:timestamp as is', () => {
    expect(parseAbsRelTimestamp('20141003T112032', now).toISOString()).toBe('2014-10-03T11:20:32.000Z');
  });
  it('adds relative milliseconds (number or decimal string) to now', () => {
    expect(parseAbsRelTimestamp(3600000, now).toISOString()).toBe('2020-01-01T01:00:00.000Z');
    expect(parseAbsRelTimestamp('3600000', now).toISOString()).toBe('2020-01-01T01:00:00.000Z');
    expect(parseAbsRelTimestamp('-1000', now).toISOString()).toBe('2019-12-31T23:59:59.000Z');
  });
  it('rejects fractions, non-numbers and out-of-range values naming the field', () => {
    expect4000(() => parseAbsRelTimestamp(1.5, now, 'rqet'), "rqet '1.5' is not an integer");
    expect4000(() => parseAbsRelTimestamp(Number.MAX_SAFE_INTEGER, now, 'rqet'), 'out of range');
    expect4000(() => parseAbsRelTimestamp('1h', now, 'rset'), "rset '1h' is not an m2m:timestamp");
    expect4000(() => parseAbsRelTimestamp(true, now, 'oet'), 'neither an m2m:timestamp nor');
    expect(isAbsRelTimestamp('20141003T112032')).toBe(true);
    expect(isAbsRelTimestamp(10)).toBe(true);
    expect(isAbsRelTimestamp({})).toBe(false);
  });
});
