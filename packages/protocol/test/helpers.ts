import { expect } from 'vitest';
import { M2MError } from '../src/index.js';

/** Runs f, expects an M2MError with this code whose message matches `text`. */
export function expectM2M(f: () => unknown, rsc: number, text: string | RegExp): M2MError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  if (caught === undefined) throw new Error(`expected M2MError ${rsc} matching ${String(text)}, nothing thrown`);
  expect(caught).toBeInstanceOf(M2MError);
  const e = caught as M2MError;
  expect(e.message).toMatch(text);
  expect(e.rsc).toBe(rsc);
  return e;
}
