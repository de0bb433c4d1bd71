// The binding as a plain Node request listener (no express routing in front of it).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestPrimitive } from '@m2msec/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHttpBinding } from '../src/index.js';

const seen: RequestPrimitive[] = [];
const binding = createHttpBinding({
  cseId: '/id-in',
  cseBaseName: 'cse-in',
  spId: 'm2msec.org',
  handler: async (req) => {
    seen.push(req);
    return req.op === 1
      ? { rsc: 2001, rqi: req.rqi, pc: { 'm2m:cnt': { rn: 'c' } }, location: 'cse-in/c' }
      : { rsc: 2000, rqi: req.rqi, pc: { 'm2m:cb': { rn: 'cse-in' } } };
  },
});
const server = createServer(binding.handle);
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

it('serves a RETRIEVE and a CREATE without express in front, Content-Location without a prefix', async () => {
  const get = await fetch(`${base}/cse-in?rcn=1`, {
    headers: { 'X-M2M-Origin': 'CAdmin', 'X-M2M-RI': 'a', 'X-M2M-RVI': '3' },
  });
  expect(get.status).toBe(200);
  expect(get.headers.get('X-M2M-RSC')).toBe('2000');
  expect(await get.json()).toEqual({ 'm2m:cb': { rn: 'cse-in' } });
  expect(seen[0]).toMatchObject({ op: 2, to: 'cse-in', fr: 'CAdmin', rqi: 'a', rcn: 1 });
  const post = await fetch(`${base}/cse-in`, {
    method: 'POST',
    headers: { 'X-M2M-Origin': 'CAdmin', 'X-M2M-RI': 'b', 'X-M2M-RVI': '3', 'Content-Type': 'application/json;ty=3' },
    body: JSON.stringify({ 'm2m:cnt': { rn: 'c' } }),
  });
  expect(post.status).toBe(201);
  expect(post.headers.get('Content-Location')).toBe('/cse-in/c');
  expect(seen[1]).toMatchObject({ op: 1, ty: 3, pc: { 'm2m:cnt': { rn: 'c' } } });
});
