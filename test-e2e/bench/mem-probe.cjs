// Preloaded into the IN-CSE by bench/soak.ts (`node --require`): every M2MSEC_MEM_PROBE_MS (default 10 s) a full
// garbage collection, then one JSON line of process.memoryUsage() appended to M2MSEC_MEM_PROBE_FILE. After the GC,
// heapUsed is the live JavaScript heap, so the soak can split the RSS into live heap, external memory (Buffers,
// ArrayBuffers) and the rest (native: SQLite's page cache, OpenSSL, the allocator), and tell data that grows to
// a configured bound from a leak. Not part of the product: the IN-CSE never loads it on its own.
const fs = require('node:fs');
const v8 = require('node:v8');
const vm = require('node:vm');

const file = process.env.M2MSEC_MEM_PROBE_FILE;
if (file) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const every = Number(process.env.M2MSEC_MEM_PROBE_MS ?? 10_000);
  setInterval(() => {
    gc();
    fs.appendFileSync(file, `${JSON.stringify({ t: Date.now(), ...process.memoryUsage() })}\n`);
  }, every).unref();
}
