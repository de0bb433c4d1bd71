// The MEF admin API's refusals in protocol's error model (docs/errors.md): the route returns the rsc and the
// shared HTTP edge maps it by the one TS-0009 Table 6.3.2-1. Before, the admin routes mapped RspfError codes
// themselves: NOT_FOUND 404, CONFLICT 409 and everything else 400, so an RspfError INTERNAL (rsc 5000) reached
// the client as a 400 and a FORBIDDEN (4103) as a 400 where the table says 403.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpEdge } from '@m2msec/binding-http';
import { INTERNAL_MESSAGE } from '@m2msec/protocol';
import { RspfError } from '@m2msec/rspf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonRefusal } from '../src/lib/edge-json.js';

const logged: Record<string, unknown>[] = [];
const failures: Record<string, unknown> = {
  internal: new RspfError('INTERNAL', 'the enrolee record cannot be read'),
  forbidden: new RspfError('FORBIDDEN', 'not an administrator of this enrolee'),
  conflict: new RspfError('CONFLICT', 'the KpmID is registered'),
  missing: new RspfError('NOT_FOUND', 'no such enrolee'),
  bug: new TypeError(`Cannot read properties of undefined (reading '{"kpm":"secret-kpm-hex"}')`),
};
let server: Server;
let base: string;

beforeAll(async () => {
  const edge = httpEdge(
    Object.keys(failures).map((name) => ({
      method: 'GET',
      path: `/${name}`,
      handle: async () => jsonRefusal(failures[name], (m, f) => logged.push({ m, ...f })),
    })),
  );
  server = createServer((req, res) => edge(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

const get = async (name: string) => {
  const res = await fetch(`${base}/${name}`);
  return { status: res.status, rsc: res.headers.get('x-m2m-rsc'), body: (await res.json()) as Record<string, unknown> };
};

describe('jsonRefusal behind the shared HTTP edge (TS-0009 Table 6.3.2-1)', () => {
  it('an RspfError INTERNAL is 500 / 5000, no longer 400', async () => {
    expect(await get('internal')).toEqual({
      status: 500,
      rsc: '5000',
      body: { code: 'INTERNAL', error: 'the enrolee record cannot be read' },
    });
  });

  it('FORBIDDEN (4103) is 403, CONFLICT (4105) 409, NOT_FOUND (4004) 404', async () => {
    expect((await get('forbidden')).status).toBe(403);
    expect((await get('conflict')).status).toBe(409);
    expect((await get('missing')).status).toBe(404);
  });

  it('an unanticipated failure is 500 INTERNAL with the fixed text, logged with its code and without the input', async () => {
    const r = await get('bug');
    expect(r).toEqual({ status: 500, rsc: '5000', body: { code: 'INTERNAL', error: INTERNAL_MESSAGE } });
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ code: 'INTERNAL', rsc: 5000 });
    expect(JSON.stringify(logged)).not.toContain('secret-kpm-hex');
  });
});
