// The guessing defences of the username / password option, with a controlled clock: the per-address
// attempt limit (sliding minute) and the per-username lock-out with its expiry.
import { join } from 'node:path';
import { openSqliteStore } from '@m2msec/store';
import { describe, expect, it } from 'vitest';
import { GuessGuard } from '../src/index.js';
import { tmp } from './helpers.js';

describe('GuessGuard', () => {
  it('limits attempts per source address within a sliding minute', async () => {
    const store = await openSqliteStore({ file: join(tmp(), 'g.db') });
    let now = 1_000_000;
    const g = new GuessGuard(store, { attemptsPerMinute: 3, now: () => now });
    for (let i = 0; i < 3; i++) expect(g.admitAddress('192.0.2.1').ok).toBe(true);
    const refused = g.admitAddress('192.0.2.1');
    expect(refused).toMatchObject({ ok: false });
    expect(refused.ok === false && refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(g.admitAddress('192.0.2.2').ok).toBe(true);
    now += 60_001;
    expect(g.admitAddress('192.0.2.1').ok).toBe(true);
    await store.close();
  });

  it('locks a username after maxFailures until lockoutSeconds pass; a success resets the count', async () => {
    const store = await openSqliteStore({ file: join(tmp(), 'g.db') });
    let now = 5_000_000;
    const g = new GuessGuard(store, { maxFailures: 2, lockoutSeconds: 10, now: () => now });
    await g.failure('u');
    await g.success('u');
    await g.failure('u');
    expect((await g.admitUser('u')).ok).toBe(true);
    await g.failure('u');
    const locked = await g.admitUser('u');
    expect(locked).toMatchObject({ ok: false, retryAfterSeconds: 10 });
    // Another instance over the same store sees the lock.
    expect((await new GuessGuard(store, { now: () => now }).admitUser('u')).ok).toBe(false);
    now += 10_001;
    expect((await g.admitUser('u')).ok).toBe(true);
    // After expiry the count starts again from zero.
    await g.failure('u');
    expect((await g.admitUser('u')).ok).toBe(true);
    await store.close();
  });
});
