import { M2MError } from '@m2msec/protocol';
import { expect } from 'vitest';

/** Runs fn, expects an M2MError with the code, returns its message. */
export function rejects(fn: () => unknown, rsc: number): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(M2MError);
    expect((e as M2MError).rsc).toBe(rsc);
    return (e as M2MError).message;
  }
  throw new Error(`expected M2MError ${rsc}, got a result`);
}

export async function rejectsAsync(fn: () => Promise<unknown>, rsc: number): Promise<string> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(M2MError);
    expect((e as M2MError).rsc).toBe(rsc);
    return (e as M2MError).message;
  }
  throw new Error(`expected M2MError ${rsc}, got a result`);
}
