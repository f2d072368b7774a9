// SPDX-License-Identifier: Apache-2.0
// The S3 client on its own, against the test S3 server.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const { pindeck, images, s3Settings, s3Env, tempDir } = require('./helpers');

function openS3(t) {
  const s3 = pindeck.S3.open({ ...s3Settings(), bucket: s3Env().S3_BUCKET });
  t.after(() => s3.close());
  return s3;
}

function httpPut(url, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'PUT', headers: { 'content-length': body.length } },
      (response) => { response.resume(); response.on('end', () => resolve(response.statusCode)); });
    request.on('error', reject);
    request.end(body);
  });
}

test('put, get, head, list, getToFile, presigned PUT, delete and deleteMany', async (t) => {
  const s3 = openS3(t);
  const prefix = `node-s3-${crypto.randomBytes(6).toString('hex')}/`;
  const bytes = Buffer.from('hello from node');
  const put = await s3.put(`${prefix}hello.txt`, bytes, { contentType: 'text/plain' });
  assert.equal(put.size, bytes.length);
  assert.equal(typeof put.etag, 'string');
  await s3.put(`${prefix}tile.webp`, images.webp, { contentType: 'image/webp' });

  assert.ok((await s3.get(`${prefix}hello.txt`)).equals(bytes));
  const head = await s3.head(`${prefix}tile.webp`);
  assert.equal(head.size, fs.statSync(images.webp).size);
  assert.equal(head.contentType, 'image/webp');

  const target = path.join(tempDir(t), 'tile.webp');
  await s3.getToFile(`${prefix}tile.webp`, target);
  assert.ok(fs.readFileSync(target).equals(fs.readFileSync(images.webp)));

  const uploadedThroughUrl = Buffer.from('put through a presigned URL');
  assert.equal(await httpPut(s3.presign('PUT', `${prefix}presigned.txt`, 300), uploadedThroughUrl), 200);
  assert.ok((await s3.get(`${prefix}presigned.txt`)).equals(uploadedThroughUrl));

  const page = await s3.list({ prefix, maxKeys: 2 });
  assert.equal(page.objects.length, 2);
  assert.equal(typeof page.nextContinuationToken, 'string');
  const keys = [];
  for await (const object of s3.listAll({ prefix, maxKeys: 2 })) keys.push(object.key);
  assert.deepEqual(keys.sort(), [`${prefix}hello.txt`, `${prefix}presigned.txt`, `${prefix}tile.webp`]);

  await s3.delete(`${prefix}hello.txt`);
  await assert.rejects(s3.get(`${prefix}hello.txt`), { code: 'not_found' });
  const removed = await s3.deleteMany([`${prefix}presigned.txt`, `${prefix}tile.webp`]);
  assert.deepEqual(removed.deleted.sort(), [`${prefix}presigned.txt`, `${prefix}tile.webp`]);
  assert.deepEqual(removed.errors, []);
  assert.deepEqual((await s3.list({ prefix })).objects, []);
  assert.throws(() => s3.presign('POST', `${prefix}x`, 60), { code: 'invalid' });
});
