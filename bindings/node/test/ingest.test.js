// SPDX-License-Identifier: Apache-2.0
// The sources: a URL and a Discord message, fetched from a local HTTP server.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const fs = require('node:fs');

const { images, openClient } = require('./helpers');

// Serves the WebP sample at /truchet.webp and 404 elsewhere, on 127.0.0.1.
async function imageServer(t) {
  const webp = fs.readFileSync(images.webp);
  const server = http.createServer((request, response) => {
    if (request.url === '/truchet.webp') {
      response.writeHead(200, { 'content-type': 'image/webp', 'content-length': webp.length });
      response.end(webp);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return `http://127.0.0.1:${server.address().port}`;
}

test('ingestUrl fetches the image once and gives the stored record again', async (t) => {
  const base = await imageServer(t);
  const client = await openClient(t);
  await assert.rejects(client.ingestUrl(`${base}/truchet.webp`), { code: 'invalid' },
    'loopback is refused until the fetch settings allow private networks');
  client.setFetchSettings({ allowPrivateNetwork: true });
  assert.throws(() => client.setFetchSettings({ allowPrivateNetworks: true }), { code: 'invalid' });

  const first = await client.ingestUrl(`${base}/truchet.webp`, { title: 'Fetched tile' });
  assert.equal(first.created, true);
  assert.equal(first.record.title, 'Fetched tile');
  assert.equal(first.record.sourceUrl, `${base}/truchet.webp`);
  assert.ok(first.record.tags.includes('original'));
  const again = await client.ingestUrl(`${base}/truchet.webp`);
  assert.equal(again.created, false);
  assert.equal(again.record.id, first.record.id);
  await assert.rejects(client.ingestUrl(`${base}/missing.webp`), { code: 'not_found' });
});

test('ingestDiscordMessage imports the attachments and reports each image', async (t) => {
  const base = await imageServer(t);
  const client = await openClient(t);
  client.setFetchSettings({ allowPrivateNetwork: true });
  const message = {
    id: '1200000000000000001',
    channel_id: '1100000000000000001',
    guild_id: '1000000000000000001',
    content: 'A tile --sref 42',
    author: { id: '900000000000000001', username: 'maker' },
    attachments: [
      { id: '1', filename: 'truchet.webp', url: `${base}/truchet.webp`, content_type: 'image/webp' },
      { id: '2', filename: 'gone.png', url: `${base}/gone.png`, content_type: 'image/png' },
    ],
    embeds: [],
  };
  const results = await client.ingestDiscordMessage(message, { owner: 'node-test', maxImages: 5 });
  assert.equal(results.length, 2);
  const imported = results.find((r) => r.imageUrl.endsWith('/truchet.webp'));
  assert.equal(imported.created, true);
  assert.equal(imported.record.sourceType, 'discord');
  assert.equal(imported.record.uploadedBy, 'node-test');
  const missing = results.find((r) => r.imageUrl.endsWith('/gone.png'));
  assert.equal(missing.error.status, 'not_found');

  const again = await client.ingestDiscordMessage(JSON.stringify(message), { owner: 'node-test' });
  assert.equal(again[0].created, false);
  assert.deepEqual(await client.ingestDiscordMessage({ id: '3', channel_id: '4', content: 'hi' }), []);
  await assert.rejects(client.ingestDiscordMessage({ content: 'no ids' }), { code: 'invalid' });
});
