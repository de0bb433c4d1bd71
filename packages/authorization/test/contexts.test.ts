// accessControlContexts (TS-0003 7.1.3 Table 7.1.3-3): window, IP addresses, location region.
import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AccessControlRuleError,
  compileIpAddresses,
  compileLocationRegion,
  compileScheduleEntry,
  countriesAt,
  greatCircleDistance,
  isCountryCode,
  parseRequestIp,
  requestTime,
} from '../src/index.js';

const at = (iso: string) => requestTime(new Date(iso));

describe('accessControlWindow: m2m:scheduleEntry (TS-0004 Table 7.4.9.1-4)', () => {
  it('matches the TS-0004 example "* 0-5 2,6,10 * * * *" (02:00-02:05, 06:00-06:05, 10:00-10:05 UTC)', () => {
    const w = compileScheduleEntry('* 0-5 2,6,10 * * * *', 'actw[0]');
    expect(w(at('2026-03-04T02:00:00Z'))).toBe(true);
    expect(w(at('2026-03-04T06:05:59Z'))).toBe(true);
    expect(w(at('2026-03-04T10:03:17Z'))).toBe(true);
    expect(w(at('2026-03-04T02:06:00Z'))).toBe(false);
    expect(w(at('2026-03-04T03:00:00Z'))).toBe(false);
  });

  it('steps after ranges and *, day-of-week 0 = Sunday, the year field, all in UTC', () => {
    expect(compileScheduleEntry('* * 0-23/2 * * * *', 'w')(at('2026-01-01T04:00:00Z'))).toBe(true);
    expect(compileScheduleEntry('* * 0-23/2 * * * *', 'w')(at('2026-01-01T05:00:00Z'))).toBe(false);
    expect(compileScheduleEntry('*/15 * * * * * *', 'w')(at('2026-01-01T05:00:45Z'))).toBe(true);
    expect(compileScheduleEntry('*/15 * * * * * *', 'w')(at('2026-01-01T05:00:46Z'))).toBe(false);
    // 2026-03-01 is a Sunday.
    expect(compileScheduleEntry('* * * * * 0 *', 'w')(at('2026-03-01T12:00:00Z'))).toBe(true);
    expect(compileScheduleEntry('* * * * * 0 *', 'w')(at('2026-03-02T12:00:00Z'))).toBe(false);
    expect(compileScheduleEntry('* * * * * * 2026', 'w')(at('2026-12-31T23:59:59Z'))).toBe(true);
    expect(compileScheduleEntry('* * * * * * 2026', 'w')(at('2027-01-01T00:00:00Z'))).toBe(false);
    // 23:30 in UTC-5 is 04:30 UTC on the next day: the window is UTC.
    expect(compileScheduleEntry('* * 4 * * * *', 'w')(requestTime(new Date('2026-01-01T23:30:00-05:00')))).toBe(true);
  });

  it('day-of-month and day-of-week are ANDed like every other field', () => {
    // 2026-03-15 is a Sunday, 2026-03-16 a Monday.
    const w = compileScheduleEntry('* * * 15 * 1 *', 'w');
    expect(w(at('2026-03-15T00:00:00Z'))).toBe(false);
    expect(w(at('2026-03-16T00:00:00Z'))).toBe(false);
    expect(compileScheduleEntry('* * * 16 * 1 *', 'w')(at('2026-03-16T00:00:00Z'))).toBe(true);
  });

  it.each([
    ['* * * * * *', '7 fields'],
    ['* * * * * * * *', '7 fields'],
    ['60 * * * * * *', 'second'],
    ['* * 24 * * * *', 'hour'],
    ['* * * 0 * * *', 'day-of-month'],
    ['* * * * 13 * *', 'month'],
    ['* * * * * 7 *', 'day-of-week'],
    ['* * * * * * 1999', 'year'],
    ['5/2 * * * * * *', 'must follow a range'],
    ['1-2-3 * * * * * *', 'not a-b'],
    ['5-1 * * * * * *', 'empty'],
    ['1,,2 * * * * * *', 'empty list element'],
    ['*/0 * * * * * *', 'positive'],
    ['a * * * * * *', 'number'],
  ])('refuses %j naming the problem (%s)', (entry, words) => {
    expect(() => compileScheduleEntry(entry, 'pv.acr[0].acco[0].actw[0]')).toThrow(AccessControlRuleError);
    expect(() => compileScheduleEntry(entry, 'pv.acr[0].acco[0].actw[0]')).toThrow(words);
  });
});

describe('accessControlIpAddresses (m2m:ipv4 / m2m:ipv6 with CIDR)', () => {
  const ip = (s: string) => parseRequestIp(s)!;

  it('matches IPv4 and IPv6 blocks and single addresses', () => {
    const m = compileIpAddresses({ ipv4: ['10.125.0.0/16', '122.77.12.1'], ipv6: ['fadf:ddd0::/32'] }, 'acip');
    expect(m(ip('10.125.3.4'))).toBe(true);
    expect(m(ip('10.126.0.1'))).toBe(false);
    expect(m(ip('122.77.12.1'))).toBe(true);
    expect(m(ip('122.77.12.2'))).toBe(false);
    expect(m(ip('fadf:ddd0:1::9'))).toBe(true);
    expect(m(ip('fadf:ddd1::9'))).toBe(false);
  });

  it('treats an IPv4-mapped IPv6 peer (dual-stack socket) as its IPv4 address', () => {
    const m = compileIpAddresses({ ipv4: ['127.0.0.1/32'] }, 'acip');
    expect(m(ip('::ffff:127.0.0.1'))).toBe(true);
    expect(m(ip('::ffff:127.0.0.2'))).toBe(false);
  });

  it('/0 admits the whole family only', () => {
    const m = compileIpAddresses({ ipv4: ['0.0.0.0/0'] }, 'acip');
    expect(m(ip('203.0.113.9'))).toBe(true);
    expect(m(ip('2001:db8::1'))).toBe(false);
  });

  it('an unparseable peer address gives no rq_ip', () => {
    expect(parseRequestIp(undefined)).toBeUndefined();
    expect(parseRequestIp('not-an-ip')).toBeUndefined();
    expect(parseRequestIp('127.1')).toBeUndefined();
  });

  it.each([
    [{ ipv4: ['10.0.0.0/33'] }, 'prefix length'],
    [{ ipv4: ['10.0.0/8'] }, 'dotted-decimal'],
    [{ ipv4: ['0x7f.0.0.1'] }, 'dotted-decimal'],
    [{ ipv6: ['fe80::/129'] }, 'prefix length'],
    [{ ipv6: ['fe80::1%eth0'] }, 'IPv6'],
    [{ ipv4: ['10.0.0.0/8/8'] }, 'more than one prefix'],
    [{}, 'ipv4 and/or ipv6'],
    [{ ipv4: '10.0.0.0/8' }, 'list'],
    [{ ipv5: [] }, 'unknown element'],
  ])('refuses %j (%s)', (acip, words) => {
    expect(() => compileIpAddresses(acip, 'acip')).toThrow(words);
  });

  it('agrees with node:net BlockList for random addresses and prefixes', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV4(), (net, prefix, addr) => {
        const bl = new BlockList();
        bl.addSubnet(net, prefix, 'ipv4');
        expect(compileIpAddresses({ ipv4: [`${net}/${prefix}`] }, 'acip')(ip(addr))).toBe(bl.check(addr, 'ipv4'));
        expect(compileIpAddresses({ ipv4: [`${net}/${prefix}`] }, 'acip')(ip(net))).toBe(true);
      }),
      { numRuns: 500 },
    );
    const v6 = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
      .map((w) => w.map((x) => x.toString(16)).join(':'));
    fc.assert(
      fc.property(v6, fc.integer({ min: 0, max: 128 }), v6, (net, prefix, addr) => {
        const bl = new BlockList();
        bl.addSubnet(net, prefix, 'ipv6');
        expect(compileIpAddresses({ ipv6: [`${net}/${prefix}`] }, 'acip')(ip(addr))).toBe(bl.check(addr, 'ipv6'));
      }),
      { numRuns: 500 },
    );
  });
});

describe('accessControlLocationRegion (m2m:locationRegion)', () => {
  it('great-circle distance Paris - London is about 343.5 km', () => {
    expect(greatCircleDistance(48.8566, 2.3522, 51.5074, -0.1278) / 1000).toBeCloseTo(343.5, 0);
  });

  it('a circular region admits points within the radius (great-circle)', () => {
    const paris = compileLocationRegion({ accr: [48.8566, 2.3522, 10_000] }, 'aclr');
    expect(paris({ latitude: 48.86, longitude: 2.35 })).toBe(true); // Paris centre
    expect(paris({ latitude: 48.8, longitude: 2.13 })).toBe(false); // Versailles, ~17 km
    expect(paris({ latitude: Number.NaN, longitude: 2.35 })).toBe(false);
  });

  it('agrees at the boundary with an independently computed destination point', () => {
    const R = 6_371_008.8;
    const rad = Math.PI / 180;
    fc.assert(
      fc.property(
        fc.double({ min: -80, max: 80, noNaN: true }),
        fc.double({ min: -170, max: 170, noNaN: true }),
        fc.double({ min: 10, max: 2_000_000, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        fc.oneof(fc.double({ min: 0.9, max: 0.999, noNaN: true }), fc.double({ min: 1.001, max: 1.1, noNaN: true })),
        (lat, lon, radius, bearing, f) => {
          // Destination point at distance f*radius along `bearing` (spherical trigonometry).
          const d = (f * radius) / R;
          const p1 = lat * rad;
          const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(bearing));
          const l2 =
            lon * rad +
            Math.atan2(Math.sin(bearing) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
          const point = { latitude: p2 / rad, longitude: ((l2 / rad + 540) % 360) - 180 };
          expect(compileLocationRegion({ accr: [lat, lon, radius] }, 'aclr')(point)).toBe(f < 1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('country codes are looked up offline from the coordinates, territories count for their country', () => {
    expect(countriesAt(48.8566, 2.3522)).toContain('FR');
    expect(countriesAt(52.52, 13.405)).toEqual(['DE']);
    expect(countriesAt(18.4655, -66.1057)).toEqual(expect.arrayContaining(['PR', 'US'])); // San Juan
    expect(countriesAt(-45, -20)).toEqual([]); // South Atlantic
    const fr = compileLocationRegion({ accc: ['FR'] }, 'aclr');
    expect(fr({ latitude: 48.8566, longitude: 2.3522 })).toBe(true);
    expect(fr({ latitude: 52.52, longitude: 13.405 })).toBe(false);
    expect(fr({ latitude: -45, longitude: -20 })).toBe(false);
    // A country stated by the location source is used as is.
    expect(fr({ latitude: -45, longitude: -20, country: 'FR' })).toBe(true);
  });

  it.each([
    [{ accc: ['FR'], accr: [0, 0, 1] }, 'either accc or accr'],
    [{}, 'must contain accc'],
    [{ accc: ['UK'] }, "the code is 'GB'"],
    [{ accc: ['fr'] }, 'ISO 3166-1'],
    [{ accc: ['EU'] }, 'ISO 3166-1'],
    [{ accc: [] }, 'non-empty'],
    [{ accr: [91, 0, 1] }, 'latitude'],
    [{ accr: [0, 181, 1] }, 'longitude'],
    [{ accr: [0, 0, -1] }, 'radius'],
    [{ accr: [0, 0] }, '3 numbers'],
  ])('refuses %j (%s)', (aclr, words) => {
    expect(() => compileLocationRegion(aclr, 'aclr')).toThrow(words);
  });

  it('knows official ISO 3166-1 codes only', () => {
    expect(isCountryCode('KR')).toBe(true);
    expect(isCountryCode('ZZ')).toBe(false);
    expect(isCountryCode('UN')).toBe(false);
  });
});
