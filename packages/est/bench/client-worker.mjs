// Bench client (worker thread, second core): a few keep-alive TLS 1.2 connections, each reused
// for many enrolments with one request in flight (Node's HTTP server does not take pipelined
// POSTs well). CSRs are built with node:crypto before timing, each with a fresh key and its
// connection's tls-unique in challengePassword. Plain JS: no project code on the client side.
import { generateKeyPairSync, sign } from 'node:crypto';
import tls from 'node:tls';
import { parentPort, workerData } from 'node:worker_threads';

const { port, ca, cert, key, perConnection, connections, durationMs } = workerData;

const len = (n) => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);
const tlv = (tag, ...parts) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag, ...len(body.length)]), body]);
};
const hex = (h) => Buffer.from(h, 'hex');
const CHALLENGE_PASSWORD = hex('06092a864886f70d010907');
const EXTENSION_REQUEST = hex('06092a864886f70d01090e');
const SAN_OID = hex('0603551d11');
const ECDSA_SHA256 = hex('300a06082a8648ce3d040302');

function csr(i, password) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const san = tlv(0x30, tlv(0x86, Buffer.from(`https://m2m.example.com/Cae-bench-${i}`)));
  const ext = tlv(0x30, tlv(0x30, SAN_OID, tlv(0x04, san)));
  const attrs = tlv(
    0xa0,
    tlv(0x30, CHALLENGE_PASSWORD, tlv(0x31, tlv(0x0c, Buffer.from(password)))),
    tlv(0x30, EXTENSION_REQUEST, tlv(0x31, ext)),
  );
  const info = tlv(0x30, hex('020100'), tlv(0x30), spki, attrs);
  return tlv(0x30, info, ECDSA_SHA256, tlv(0x03, hex('00'), sign('sha256', info, privateKey))).toString('base64');
}

async function open(c) {
  const socket = tls.connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    ca,
    cert,
    key,
    maxVersion: 'TLSv1.2',
  });
  await new Promise((r, j) => socket.once('secureConnect', r).once('error', j));
  socket.setNoDelay(true);
  const password = socket.getFinished().toString('base64'); // tls-unique of a full handshake: client Finished
  const requests = [];
  for (let i = 0; i < perConnection; i++) {
    const body = csr(c * perConnection + i, password);
    requests.push(
      Buffer.from(
        `POST /.well-known/est/simpleenroll HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/pkcs10\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      ),
    );
  }
  return { socket, requests };
}

function drive({ socket, requests }, stopAt, stats) {
  return new Promise((resolve, reject) => {
    let next = 0;
    let buffered = Buffer.alloc(0);
    const send = () => {
      if (next < requests.length && performance.now() < stopAt) socket.write(requests[next++]);
      else {
        socket.end();
        resolve();
      }
    };
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      const head = buffered.indexOf('\r\n\r\n');
      if (head < 0) return;
      const headers = buffered.subarray(0, head).toString('latin1');
      const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? 0);
      if (buffered.length < head + 4 + length) return;
      if (!headers.startsWith('HTTP/1.1 200')) {
        if (stats.failed++ === 0) console.error(headers, buffered.subarray(head + 4, head + 4 + length).toString());
      }
      stats.done++;
      buffered = buffered.subarray(head + 4 + length);
      send();
    });
    send();
  });
}

const conns = [];
for (let c = 0; c < connections; c++) conns.push(await open(c));
parentPort.once('message', async () => {
  const stats = { done: 0, failed: 0 };
  const elu = performance.eventLoopUtilization();
  const started = performance.now();
  await Promise.all(conns.map((c) => drive(c, started + durationMs, stats)));
  const seconds = (performance.now() - started) / 1000;
  parentPort.postMessage({ ...stats, seconds, clientBusy: performance.eventLoopUtilization(elu).utilization });
});
parentPort.postMessage({ ready: true });
