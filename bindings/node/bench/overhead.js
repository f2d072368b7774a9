// SPDX-License-Identifier: Apache-2.0
// The Node binding's cost per call, to compare with the C ABI's on the same work
// (benchmarks/capi): 10,000 sequential client.get calls and 100 sequential uploads of a small
// image, on the embedded local object store. Prints microseconds per call. Not a test.
//   PINDECK_BUILD_DIR=build node bindings/node/bench/overhead.js [image]
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { Client, derive } = require('../lib/index.js');

async function smallImage() {
  if (process.argv[2]) return fs.readFileSync(process.argv[2]);
  const sample = path.join(__dirname, '..', '..', '..', 'tests', 'data', 'images', 'truchet-l.webp');
  return (await derive(sample, { palette: false })).outputs.find((o) => o.role === 'small').data;
}

async function perCall(count, call) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) await call(i);
  return Number(process.hrtime.bigint() - start) / 1000 / count;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pindeck-node-bench-'));
  const client = await Client.open(dir);
  try {
    await client.startPersistence({ pollIntervalMs: 50 });
    const image = await smallImage();
    const record = await client.upload(image, { title: 'Bench' });
    await perCall(1000, () => client.get(record.id));
    const get = await perCall(10000, () => client.get(record.id));
    const upload = await perCall(100, (i) => client.upload(image, { title: `Bench ${i}` }));
    console.log(`node get: ${get.toFixed(2)} µs/call (10000 calls)`);
    console.log(`node upload: ${upload.toFixed(2)} µs/call (100 uploads of ${image.length} bytes)`);
  } finally {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
