// Runs the example gateway: GATEWAY_PORT, and the MN-CSE's registrar credential from files.
//   REGISTRAR_URL=https://in.example:8443 MN_CERT=mn.pem MN_KEY=mn.key CA_CERT=ca.pem npm start
import { readFileSync } from 'node:fs';
import { createGateway } from './app.js';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

const gateway = await createGateway({
  cseId: '/id-mn',
  cseBaseName: 'cse-mn',
  spId: 'm2msec.org',
  store: { kind: 'sqlite', file: process.env.MN_DB ?? 'mn-cse.db' },
  poa: [process.env.MN_POA ?? `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 3000}/onem2m`],
  registrar: {
    cseId: '/id-in',
    cseBaseName: 'cse-in',
    url: env('REGISTRAR_URL'),
    framework: {
      kind: 'certificate',
      cert: readFileSync(env('MN_CERT')),
      key: readFileSync(env('MN_KEY')),
      trustAnchors: [readFileSync(env('CA_CERT'))],
      servername: process.env.REGISTRAR_NAME ?? 'id-in.m2msec.org',
    },
  },
  appRules: [{ name: 'devices', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
});
const server = gateway.app.listen(Number(process.env.GATEWAY_PORT ?? 3000));
await gateway.start();
process.once('SIGTERM', async () => {
  await gateway.stop();
  server.close();
});
