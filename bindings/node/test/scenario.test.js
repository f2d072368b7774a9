// SPDX-License-Identifier: Apache-2.0
// The proof scenario against the real S3 server: upload three samples, wait until they are
// persisted, list them with a filter, fetch one object through a presigned URL with plain HTTP,
// delete a record.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const fs = require('node:fs');

const { pindeck, images, openClient, persistenceConfig, s3Settings, s3Env } = require('./helpers');

function httpGet(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('upload, persist to S3, list with a filter, fetch through a presigned URL, delete', async (t) => {
  const client = await openClient(t);
  const config = persistenceConfig();
  await client.startPersistence(config);

  const uploaded = [];
  for (const [kind, file] of Object.entries(images)) {
    uploaded.push(await client.upload(file, {
      title: `Sample ${kind}`, category: 'Proof', tags: ['proof', kind],
    }));
  }
  for (const record of uploaded) {
    assert.equal(record.storagePersistStatus, 'pending');
  }

  const persisted = await Promise.all(
    uploaded.map((record) => client.waitPersisted(record.id, { timeoutMs: 120000 })));
  for (const record of persisted) {
    assert.equal(record.storagePersistStatus, 'succeeded', record.storagePersistError);
    assert.ok(record.storagePath.startsWith(`${config.keyPrefix}/`), record.storagePath);
  }

  const proof = await client.list({ tag: 'proof' });
  assert.deepEqual(proof.records.map((r) => r.id).sort(), uploaded.map((r) => r.id).sort());
  assert.equal(proof.nextCursor, null);
  const jpegOnly = await client.list({ category: 'Proof', tag: 'jpeg' });
  assert.deepEqual(jpegOnly.records.map((r) => r.title), ['Sample jpeg']);

  const s3 = pindeck.S3.open({ ...s3Settings(), bucket: s3Env().S3_BUCKET });
  t.after(() => s3.close());
  const jpeg = persisted.find((r) => r.title === 'Sample jpeg');
  const fetched = await httpGet(s3.presign('GET', jpeg.storagePath, 300));
  assert.equal(fetched.status, 200);
  assert.ok(fetched.body.equals(fs.readFileSync(images.jpeg)), 'the object is the uploaded file');

  await client.delete(jpeg.id);
  await assert.rejects(client.get(jpeg.id), { name: 'PindeckError', code: 'not_found' });
  const left = await client.list({ tag: 'proof' });
  assert.equal(left.records.length, 2);
  const gone = await httpGet(s3.presign('GET', jpeg.storagePath, 300));
  assert.equal(gone.status, 404, 'deleting the record removed its object');
});
