// estRequestListener: the EST server as a plain Node listener; its own path parsing.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEstServer, estRequestListener } from '../src/index.js';
import { makePki } from './helpers.js';

let base = '';
let close: () => Promise<void>;
beforeAll(async () => {
  const pki = await makePki();
  const est = createEstServer({ ca: pki.ca, authorize: () => 'allow', labels: ['lbl1'] });
  const server = createServer(estRequestListener(est));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await est.close();
  };
});
afterAll(() => close?.());

it('answers 404 outside the prefix and for paths deeper than <label>/<operation>', async () => {
  for (const path of ['/', '/other/cacerts', '/.well-known/est', '/.well-known/est/', '/.well-known/est/a/b/cacerts']) {
    const r = await fetch(base + path);
    expect(r.status, path).toBe(404);
  }
  expect((await fetch(`${base}/.well-known/est/no-such-op`)).status).toBe(404);
});

it('hands well-formed paths to the EST server, which refuses a plain-HTTP client (TLS is required)', async () => {
  // The TLS path through this listener is exercised by the TLS-PSK interop tests (startPskServer).
  for (const path of ['/.well-known/est/cacerts', '/.well-known/est/lbl1/cacerts']) {
    expect((await fetch(base + path)).status, path).toBe(403);
  }
});
