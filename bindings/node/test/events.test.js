// SPDX-License-Identifier: Apache-2.0
// Concurrent uploads through the asynchronous C forms, persistence events, listeners that throw,
// and a closed client that lets Node exit.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFile } = require('node:child_process');

const { openClient, persistenceConfig, smallImage, tempDir } = require('./helpers');

test('20 concurrent uploads all settle, and persistStatus events report each', async (t) => {
  const client = await openClient(t);
  await client.startPersistence(persistenceConfig({ maxInFlight: 4 }));
  const statuses = new Map();
  const progress = [];
  client.on('persistStatus', (event) => {
    assert.equal(event.type, 'persistStatus');
    statuses.set(event.id, [...(statuses.get(event.id) ?? []), event.status]);
  });
  client.on('uploadProgress', (event) => progress.push(event));

  const images = await Promise.all(Array.from({ length: 20 }, (_, i) => smallImage(i)));
  const settled = await Promise.allSettled(images.map((image, i) =>
    client.upload(image, { title: `Concurrent ${i}` }, { fileName: `c${i}.webp` })));
  assert.deepEqual(settled.map((s) => s.status), Array(20).fill('fulfilled'));
  const ids = settled.map((s) => s.value.id);
  assert.equal(new Set(ids).size, 20);

  const persisted = await Promise.all(ids.map((id) => client.waitPersisted(id, { timeoutMs: 120000 })));
  assert.deepEqual(persisted.map((r) => r.storagePersistStatus), Array(20).fill('succeeded'));
  // An event may trail the wait that saw the same change by a moment.
  const deadline = Date.now() + 10000;
  while (ids.some((id) => !(statuses.get(id) ?? []).includes('succeeded')) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const id of ids) assert.ok((statuses.get(id) ?? []).includes('succeeded'), id);
  assert.ok(progress.length > 0, 'upload progress was reported');
  for (const event of progress) {
    assert.ok(ids.includes(event.id));
    assert.ok(event.bytesSent <= event.bytesTotal);
  }
});

test('a throwing listener goes to the client\'s error listeners; later events still arrive',
  async (t) => {
    const client = await openClient(t);
    await client.startPersistence({ pollIntervalMs: 50 });
    const errors = [];
    const seen = [];
    client.on('error', (error) => errors.push(error));
    client.on('persistStatus', (event) => {
      seen.push(event.status);
      throw new Error(`listener failed on ${event.status}`);
    });
    for (let i = 0; i < 2; i += 1) {
      const record = await client.upload(await smallImage(i), { title: `Throwing ${i}` });
      assert.equal((await client.waitPersisted(record.id)).storagePersistStatus, 'succeeded');
    }
    const deadline = Date.now() + 10000;
    while (seen.filter((s) => s === 'succeeded').length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(seen.filter((s) => s === 'succeeded').length, 2);
    assert.equal(errors.length, seen.length);
    assert.match(errors[0].message, /listener failed/);
  });

function runScript(t, script) {
  const dir = tempDir(t);
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', script], {
      env: { ...process.env, DATA_DIR: dir, INDEX: path.join(__dirname, '..', 'lib', 'index.js') },
      timeout: 60000,
    }, (error, stdout, stderr) => resolve({ code: error ? error.code ?? error.signal : 0, stdout, stderr }));
  });
}

test('without an error listener a throwing listener is a process warning, not a crash',
  async (t) => {
    const { code, stdout, stderr } = await runScript(t, `
      const { Client } = require(process.env.INDEX);
      (async () => {
        const client = await Client.open(process.env.DATA_DIR);
        await client.startPersistence({ pollIntervalMs: 50 });
        client.on('persistStatus', () => { throw new Error('listener boom'); });
        const record = await client.upload(${JSON.stringify(require('./helpers').images.webp)});
        await client.waitPersisted(record.id);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await client.close();
        console.log('survived');
      })();`);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /survived/);
    assert.match(stderr, /PindeckListenerError/);
    assert.match(stderr, /listener boom/);
  });

test('Node exits once a client with event listeners is closed', async (t) => {
  const started = Date.now();
  const { code, stdout, stderr } = await runScript(t, `
    const { Client } = require(process.env.INDEX);
    (async () => {
      const client = await Client.open(process.env.DATA_DIR);
      client.on('persistStatus', () => {});
      client.on('uploadProgress', () => {});
      await client.close();
      console.log('closed');
    })();`);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /closed/);
  assert.ok(Date.now() - started < 30000);
});
