// Baseline: a bare express handler returning the same JSON body with the same oneM2M headers.
import express from 'express';

const body = process.argv[2] ?? '{}';
const app = express();
app.disable('x-powered-by');
app.get('/{*path}', (req, res) => {
  res.set({
    'X-M2M-RSC': '2000',
    'X-M2M-RI': req.get('X-M2M-RI') ?? '',
    'X-M2M-RVI': '3',
    'Content-Type': 'application/json',
  });
  res.status(200).send(body);
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
server.keepAliveTimeout = 65_000;
