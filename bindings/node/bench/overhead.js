// SPDX-License-Identifier: Apache-2.0
// The Node binding's cost per call over the C ABI's on the same work: 10,000 sequential
// client.get calls (their mean, compared with benchmarks/capi's in another process), and 100 (or
// as many as asked) uploads of a small image on the embedded local object store, each timed
// alternately with the same upload made in C in this process (bench/c_upload.cc:
// pd_upload_bytes_async waited for). Alternating puts both under the same moment's load; prints
// the medians of the two series and of their paired differences. Not a test.
//   PINDECK_BUILD_DIR=build node bindings/node/bench/overhead.js [image [uploads]]
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { Client, derive } = require('../lib/index.js');

const uploads = Number(process.argv[3] || 100);
const buildDir = process.env.PINDECK_BUILD_DIR || path.join(__dirname, '..', '..', '..', 'build');
const cUpload = require(path.join(path.resolve(buildDir), 'bindings', 'node', 'c_upload.node'));

// Both clients persist behind the uploads with the same settings: one image and one libvips
// thread at a time, leaving the other core to the calls being timed.
const persistence = { cpuThreads: 1, maxInFlight: 1 };

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

async function microseconds(call) {
  const start = process.hrtime.bigint();
  await call();
  return Number(process.hrtime.bigint() - start) / 1000;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pindeck-node-bench-'));
  const cDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pindeck-node-bench-c-'));
  const client = await Client.open(dir);
  const cClient = cUpload.open(cDir, JSON.stringify(persistence));
  try {
    await client.startPersistence(persistence);
    const image = await smallImage();
    const record = await client.waitPersisted(
      (await client.upload(image, null, { fileName: 'small.webp' })).id);
    await perCall(1000, () => client.get(record.id));
    const get = await perCall(10000, () => client.get(record.id));

    const node = [];
    const c = [];
    for (let i = 0; i < uploads; i += 1) {
      node.push(await microseconds(() => client.upload(image, null, { fileName: 'small.webp' })));
      c.push(await microseconds(() => cUpload.upload(cClient, image, 'small.webp')));
    }
    console.log(`node get: ${get.toFixed(2)} µs/call (10000 calls)`);
    console.log(`node upload: ${median(node).toFixed(2)} µs/call median (${uploads} uploads of ` +
                `${image.length} bytes)`);
    console.log(`c upload: ${median(c).toFixed(2)} µs/call median (pd_upload_bytes_async, ` +
                'alternating with the above)');
    const differences = node.map((t, i) => t - c[i]);
    console.log(`upload difference: ${median(differences).toFixed(2)} µs median of the pairs`);
  } finally {
    await client.close();
    cUpload.close(cClient);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(cDir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
