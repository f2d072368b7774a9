// SPDX-License-Identifier: Apache-2.0
// Catalog calls: pages and the async iterator over them, search, update, backfill, and the counts
// of the queue and of the client's workers.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');

const { openClient, smallImage, persistenceConfig, s3Settings } = require('./helpers');

async function uploadMany(client, count, metadata) {
  const records = [];
  for (let i = 0; i < count; i += 1) {
    records.push(await client.upload(await smallImage(i), { title: `Image ${i}`, ...metadata(i) },
      { fileName: `image-${i}.webp` }));
  }
  return records;
}

test('list pages with cursors, and listAll iterates every page', async (t) => {
  const client = await openClient(t);
  const uploaded = await uploadMany(client, 7, (i) => ({ tags: i % 2 ? ['odd'] : ['even'] }));

  const first = await client.list({ limit: 3 });
  assert.equal(first.records.length, 3);
  assert.equal(typeof first.nextCursor, 'string');
  const second = await client.list({ limit: 3, cursor: first.nextCursor });
  assert.equal(second.records.length, 3);
  const third = await client.list({ limit: 3, cursor: second.nextCursor });
  assert.equal(third.records.length, 1);
  assert.equal(third.nextCursor, null);
  const paged = [...first.records, ...second.records, ...third.records].map((r) => r.id);
  assert.equal(new Set(paged).size, 7);

  const iterated = [];
  for await (const record of client.listAll({ limit: 2 })) iterated.push(record.id);
  assert.deepEqual(iterated, paged, 'the iterator walks the same order');

  const odd = [];
  for await (const record of client.listAll({ tag: 'odd', limit: 2 })) odd.push(record.title);
  assert.deepEqual(odd.sort(), ['Image 1', 'Image 3', 'Image 5']);

  const found = await client.search('Image', { tag: 'even', limit: 10 });
  assert.equal(found.records.length, 4);
  const all = [];
  for await (const record of client.searchAll('Image', { limit: 3 })) all.push(record.id);
  assert.equal(all.length, 7);
  await assert.rejects(client.list({ colour: '#fff' }), { code: 'invalid', message: /colour/ });
  assert.equal(uploaded.length, 7);
});

test('update changes the given fields, refuses a bad patch and changes nothing then', async (t) => {
  const client = await openClient(t);
  const [record] = await uploadMany(client, 1, () => ({ tags: ['before'] }));
  const updated = await client.update(record.id, { title: 'After', tags: ['after'] });
  assert.equal(updated.title, 'After');
  assert.deepEqual(updated.tags, ['after']);
  assert.deepEqual((await client.get(record.id)).tags, ['after']);
  await assert.rejects(client.update(record.id, { title: null }), { code: 'invalid' });
  await assert.rejects(client.update('no-such-id', { title: 'X' }), { code: 'not_found' });
  assert.equal((await client.get(record.id)).title, 'After');
});

test('backfill reschedules a record whose persistence failed', async (t) => {
  const client = await openClient(t);
  const config = persistenceConfig({
    s3: s3Settings({ secretKey: 'wrong-secret' }), maxAttempts: 1, retryMinDelayMs: 0,
  });
  await client.startPersistence(config);
  const [record] = await uploadMany(client, 1, () => ({}));
  const failed = await client.waitPersisted(record.id, { timeoutMs: 60000 });
  assert.equal(failed.storagePersistStatus, 'failed');
  assert.match(failed.storagePersistError, /403|SignatureDoesNotMatch|signature/i);
  // The job ends for its worker just after its record settles.
  let counts = await client.workerCounts();
  for (let i = 0; i < 500 && counts.inFlight > 0; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    counts = await client.workerCounts();
  }
  assert.deepEqual(counts,
    { claimed: 1, succeeded: 0, retried: 0, failed: 1, released: 0, inFlight: 0 });
  const queue = await client.queueCounts();
  assert.deepEqual([queue.queued, queue.failed], [0, 1]);

  assert.equal(await client.backfill(10), 1);
  await assert.rejects(client.backfill(0), { code: 'invalid' });
});
