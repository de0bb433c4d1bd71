// The reference Dynamic Authorization Server (TS-0003 7.3.2.1): an HTTP server (TS-0009) that answers
// the Hosting CSE's NOTIFY carrying m2m:securityInfo sit=1 with sit=2 (TS-0004 7.5.1.2.10), deciding by
// the rules of its JSON configuration. One JSON line per consultation goes to stdout.

import { createPrivateKey } from 'node:crypto';
import { dasResponseContent, parseDasRequest } from '@m2msec/authorization';
import { createHttpBinding } from '@m2msec/binding-http';
import { answerHelpAndVersion } from '@m2msec/node/cli';
import { configSummary, createLogger, Metrics, observeHandler, startAdminListener } from '@m2msec/observability';
import { type HandlerResponse, Operation, type RequestPrimitive, ResponseStatusCode } from '@m2msec/protocol';
import { ConfigError, loadConfig } from './config.js';
import { decide } from './decide.js';

// --help / --version answer before anything is read or opened (issue 19).
answerHelpAndVersion({
  name: 'm2msec-das',
  packageJson: new URL('../package.json', import.meta.url),
  summary: 'the reference Dynamic Authorization Server (TS-0003 7.3.2.1)',
  usage: ['[options]'],
  details: 'Configuration: environment and the JSON rules file; see apps/das/README.md.',
});

function log(entry: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey({ key: config.signingKey as never, format: 'jwk' });
  } catch (e) {
    throw new ConfigError(`signingKey is not a private JWK: ${(e as Error).message}`);
  }
  const handler = async (req: RequestPrimitive): Promise<HandlerResponse> => {
    if (req.op !== Operation.NOTIFY)
      return { rsc: ResponseStatusCode.OPERATION_NOT_ALLOWED, rqi: req.rqi, dbg: 'a DAS answers NOTIFY only' };
    const dreq = parseDasRequest(req.pc);
    if (!dreq || typeof dreq.trid !== 'string')
      return {
        rsc: ResponseStatusCode.BAD_REQUEST,
        rqi: req.rqi,
        dbg: 'Content must be m2m:securityInfo with securityInfoType 1 and a dasRequest {or, op, trid}',
      };
    // The consulting Hosting CSE is the NOTIFY's From (TS-0004 7.5.1.2.10); tokens name it as audience.
    const from = req.fr ?? '';
    const cse = from.startsWith('//') ? from : `//${config.spId}${from}`;
    const { rule, response } = await decide(config, key, dreq, cse, new Date());
    log({
      event: 'consultation',
      from: req.fr,
      dreq,
      rule: rule ?? null,
      granted: { policy: response.dai !== undefined, tokens: response.tkns?.length ?? 0 },
    });
    return { rsc: ResponseStatusCode.OK, rqi: req.rqi, pc: dasResponseContent(response) };
  };
  // Refusals and errors get an access and a security line; consultations are logged above.
  const metrics = new Metrics({ app: 'das' });
  const observed = observeHandler(handler, {
    log: createLogger({ app: 'das', level: 'warn', format: 'json' }),
    metrics,
    channel: 'http',
  });
  const binding = createHttpBinding({ handler: observed, cseId: '/das', cseBaseName: 'das', spId: config.spId });
  const address = await binding.listen({ host: config.http.host, port: config.http.port });
  const ops = config.opsListener ? await startAdminListener({ ...config.opsListener, metrics }) : undefined;
  log({
    kind: 'lifecycle',
    event: 'ready',
    config: configSummary({ ...config, signingKey: undefined, rules: config.rules.length }),
    url: `http://${config.http.host}:${address.port}`,
    rules: config.rules.length,
    ...(ops ? { ops: ops.url } : {}),
  });
  const shutdown = async (signal: string) => {
    log({ kind: 'lifecycle', event: 'stopping', signal });
    await ops?.close();
    await binding.close({ graceMs: 1000 });
    log({ kind: 'lifecycle', event: 'stopped' });
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  process.stderr.write(`das: ${e instanceof ConfigError ? e.message : `failed to start: ${(e as Error).message}`}\n`);
  process.exit(1);
});
