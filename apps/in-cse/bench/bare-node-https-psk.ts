// Baseline: a bare Node HTTPS server with TLS-PSK (the TS-0003 10.2 TLS 1.2 PSK suites) returning the same
// JSON body and oneM2M headers (issue 21: the protected GET over a kept-alive TLS-PSK session is measured
// against this). The key arrives on standard input, never in argv.
import https from 'node:https';
import { pskCipherList } from '@m2msec/saef';

const body = Buffer.from(process.argv[2] ?? '{}');
const identity = process.argv[3] ?? '';
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => {
  input += c;
});
process.stdin.on('end', () => {
  const key = Buffer.from(input.trim(), 'hex');
  const server = https.createServer(
    {
      ciphers: pskCipherList(false),
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      pskCallback: (_socket, id) => (id === identity ? key : null),
    },
    (req, res) => {
      res.writeHead(200, {
        'X-M2M-RSC': '2000',
        'X-M2M-RI': req.headers['x-m2m-ri'] ?? '',
        'X-M2M-RVI': '3',
        'Content-Type': 'application/json',
        'Content-Length': body.length,
      });
      res.end(body);
    },
  );
  server.keepAliveTimeout = 65_000;
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
});
