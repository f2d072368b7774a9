// SPDX-License-Identifier: Apache-2.0
// Each error class from a real failure: a PindeckError with the library's status name as .code
// and, from S3, the HTTP status, S3 code and request id, never the secret.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');

const { pindeck, images, openClient, s3Settings, s3Env } = require('./helpers');

test('a missing file is not_found, naming the path', async (t) => {
  const client = await openClient(t);
  const missing = '/nonexistent/pindeck-node/missing.jpg';
  const error = await client.upload(missing).catch((e) => e);
  assert.ok(error instanceof pindeck.PindeckError);
  assert.ok(error instanceof Error);
  assert.equal(error.code, 'not_found');
  assert.match(error.message, /missing\.jpg/);
  assert.equal((await client.list()).records.length, 0, 'nothing was stored');
});

test('bytes that are no image are a media error', async (t) => {
  const client = await openClient(t);
  await assert.rejects(client.upload(Buffer.from('this is text, not an image')),
    { name: 'PindeckError', code: 'media' });
  await assert.rejects(pindeck.probe(Buffer.from('GIF89a but cut short')), { code: 'media' });
  assert.equal((await client.list()).records.length, 0);
});

test('bad metadata is invalid, naming the field', async (t) => {
  const client = await openClient(t);
  const error = await client.upload(images.webp, { title: 'Tile', colour: 'red' }).catch((e) => e);
  assert.equal(error.code, 'invalid');
  assert.match(error.message, /colour/);
  await assert.rejects(client.upload(images.webp, { tags: 'not-a-list' }), { code: 'invalid' });
  assert.equal((await client.list()).records.length, 0);
});

test('a wrong S3 secret is an s3 error with the HTTP status, S3 code and request id', async (t) => {
  const secret = 'wrong-secret-do-not-print-0123456789';
  const s3 = pindeck.S3.open({ ...s3Settings({ secretKey: secret }), bucket: s3Env().S3_BUCKET });
  t.after(() => s3.close());
  const error = await s3.put('node/denied.txt', Buffer.from('denied')).catch((e) => e);
  assert.ok(error instanceof pindeck.PindeckError);
  assert.equal(error.code, 's3');
  assert.equal(error.httpStatus, 403);
  assert.equal(error.s3Code, 'SignatureDoesNotMatch');
  assert.equal(typeof error.requestId, 'string');
  assert.ok(error.requestId.length > 0);
  assert.ok(!error.message.includes(secret), 'the message never holds the secret');
  assert.ok(!JSON.stringify(error).includes(secret));
  const head = await s3.head('node/denied.txt').catch((e) => e);
  assert.equal(head.code, 's3');
  assert.equal(head.httpStatus, 403);
});

test('wrong argument types are TypeErrors before anything is called', async (t) => {
  const client = await openClient(t);
  await assert.rejects(client.get(42), TypeError);
  await assert.rejects(client.upload(42), TypeError);
});

test('a closed client refuses calls with misuse', async (t) => {
  const client = await openClient(t);
  await client.close();
  await assert.rejects(client.get('anything'), { code: 'misuse' });
});
