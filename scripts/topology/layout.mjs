// Where everything of the local topology lives: ports (a fixed block from --base-port, or free ports from
// the OS with --base-port 0) and the state directory's files.
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** Offsets from the base port; one block of ten per program, so no two programs collide. */
const OFFSETS = {
  inHttp: 0,
  inCert: 1,
  inPsk: 2,
  inOps: 3,
  mnHttp: 10,
  mnMcc: 11,
  mnOps: 13,
  mefPsk: 20,
  mefAdmin: 21,
  mefOps: 23,
  mafPsk: 30,
  mafAdmin: 31,
  mafOps: 33,
};

async function freePorts(n) {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((ok, ko) => {
          const s = createServer();
          s.once('error', ko);
          s.listen(0, '127.0.0.1', () => ok(s));
        }),
    ),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

export async function layout(dirArg, basePort) {
  const dir = resolve(dirArg);
  const names = Object.keys(OFFSETS);
  const ports = {};
  if (basePort === 0) {
    const free = await freePorts(names.length);
    names.forEach((n, i) => {
      ports[n] = free[i];
    });
  } else {
    for (const n of names) ports[n] = basePort + OFFSETS[n];
  }
  const host = '127.0.0.1';
  return {
    dir,
    host,
    ports,
    pki: join(dir, 'pki'),
    keys: join(dir, 'keys'),
    config: join(dir, 'config'),
    logs: join(dir, 'logs'),
    data: (name) => join(dir, 'data', name),
    url: (scheme, port, path = '') => `${scheme}://${host}:${port}${path}`,
  };
}
