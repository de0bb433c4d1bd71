// Baseline for the CREATE bench: bare node:http + better-sqlite3 doing the same durable write as the
// IN-CSE (WAL, synchronous=FULL, one INSERT of the JSON document per request, answered after it), and
// answering 201 with the oneM2M headers. No validation, no access decision, no accounting.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import Database from 'better-sqlite3';

const db = new Database(process.argv[2]!);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS cin (ri TEXT PRIMARY KEY, doc TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO cin (ri, doc) VALUES (?, ?)');
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const ri = randomUUID();
    const doc = Buffer.concat(chunks).toString('utf8');
    insert.run(ri, doc);
    res.writeHead(201, {
      'X-M2M-RSC': '2001',
      'X-M2M-RI': req.headers['x-m2m-ri'] ?? '',
      'X-M2M-RVI': '3',
      'Content-Type': 'application/json',
    });
    res.end(JSON.stringify({ 'm2m:cin': { ri, ...JSON.parse(doc)['m2m:cin'] } }));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
