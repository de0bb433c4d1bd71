// Pure parts of the notification procedures: xs:duration, eventNotificationCriteria, rateLimit windows.
import type { M2MError } from '@m2msec/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkCriteria, matches } from '../src/notifications/criteria.js';
import { parseDuration } from '../src/notifications/duration.js';
import { RateLimiter } from '../src/notifications/rate-limit.js';

const rsc = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as M2MError).rsc;
  }
  return 0;
};

describe('parseDuration (xs:duration without years and months)', () => {
  it('reads weeks, days, hours, minutes and fractional seconds', () => {
    expect(parseDuration('PT10S', 'd')).toBe(10_000);
    expect(parseDuration('PT1.5S', 'd')).toBe(1_500);
    expect(parseDuration('P1DT1H1M1S', 'd')).toBe((86_400 + 3_600 + 60 + 1) * 1000);
    expect(parseDuration('P2W', 'd')).toBe(14 * 86_400_000);
  });
  it('refuses years, months, empty forms, zero and non-strings with 4000', () => {
    for (const bad of ['P1Y', 'P1M', 'P', 'PT', 'PT0S', '10', 10, '', 'PT-1S'])
      expect(rsc(() => parseDuration(bad, 'd'))).toBe(4000);
  });
});

describe('eventNotificationCriteria', () => {
  it('refuses unknown elements, bad event types, operationMonitor and bad filterOperation', () => {
    for (const bad of [
      { xx: 1 },
      { net: [0] },
      { net: [9] },
      { net: [] },
      { om: [{ ops: 1 }] },
      { fo: 3 },
      { chty: ['x'] },
      { crb: 'yesterday' },
    ])
      expect(
        rsc(() => checkCriteria(bad)),
        JSON.stringify(bad),
      ).toBe(4000);
    expect(checkCriteria({ net: [1, 3], chty: [4], atr: ['lbl'], sza: 2, fo: 2 })).toBeTruthy();
  });
  const cin = {
    ri: 'c',
    pi: 'p',
    rn: 'c',
    ty: 4,
    ct: '20260101T000000',
    lt: '20260101T000000',
    srn: 'x',
    cs: 5,
    st: 3,
  };
  it('matches the event type, the child type and the attribute condition', () => {
    expect(matches(undefined, 1, cin)).toBe(true);
    expect(matches(undefined, 3, cin)).toBe(false);
    expect(matches({ net: [3], chty: [4] }, 3, cin)).toBe(true);
    expect(matches({ net: [3], chty: [3] }, 3, cin)).toBe(false);
    expect(matches({ atr: ['lbl'] }, 1, cin, ['mni'])).toBe(false);
    expect(matches({ atr: ['lbl'] }, 1, cin, ['lbl', 'mni'])).toBe(true);
  });
  it('combines resource conditions with AND by default, OR with fo=2', () => {
    expect(matches({ net: [3], sza: 4, szb: 5 }, 3, cin)).toBe(false);
    expect(matches({ net: [3], sza: 4, szb: 6 }, 3, cin)).toBe(true);
    expect(matches({ net: [3], sza: 9, stb: 2, fo: 2 }, 3, cin)).toBe(true);
    expect(matches({ net: [3], stb: 3 }, 3, cin)).toBe(true); // stateTagBigger <= stateTag
    expect(matches({ net: [3], sts: 3 }, 3, cin)).toBe(false); // stateTag < stateTagSmaller
    expect(matches({ net: [3], crb: '20250101T000000' }, 3, cin)).toBe(false);
    expect(matches({ net: [3], cra: '20250101T000000' }, 3, cin)).toBe(true);
  });
});

describe('RateLimiter', () => {
  afterEach(() => vi.useRealTimers());
  it('sends mnn per sequential window and keeps the order of what waits', () => {
    vi.useFakeTimers();
    const r = new RateLimiter();
    const sent: number[] = [];
    for (let i = 1; i <= 5; i++) r.submit('s', { mnn: 2, tww: 'PT1S' }, () => sent.push(i));
    expect(sent).toEqual([1, 2]);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([1, 2, 3, 4]);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([1, 2, 3, 4, 5]);
  });
  it('drops what waits when the subscription is forgotten', () => {
    vi.useFakeTimers();
    const r = new RateLimiter();
    const sent: number[] = [];
    for (let i = 1; i <= 3; i++) r.submit('s', { mnn: 1, tww: 'PT1S' }, () => sent.push(i));
    r.forget('s');
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual([1]);
  });
});
