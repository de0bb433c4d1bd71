// Baseline: a bare node:http handler returning the same JSON body with the same oneM2M headers (issue 21:
// the protected GET is measured against this, the lowest cost of answering over HTTP in Node).
import http from 'node:http';

const body = Buffer.from(process.argv[2] ?? '{}');
const server = http.createServer((req, res) => {
  res.writeHead(200, {
    'X-M2M-RSC': '2000',
    'X-M2M-RI': req.headers['x-m2m-ri'] ?? '',
    'X-M2M-RVI': '3',
    'Content-Type': 'application/json',
    'Content-Length': body.length,
  });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
