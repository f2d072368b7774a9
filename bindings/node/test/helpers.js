// SPDX-License-Identifier: Apache-2.0
// What the tests share: the package, the sample images, temporary data directories and the test
// S3 server's settings (the file PINDECK_TEST_S3_ENV names, written by tests/s3-server).
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const pindeck = require('../lib/index.js');

const dataDir = process.env.PINDECK_TEST_DATA || path.join(__dirname, '..', '..', '..', 'tests', 'data');
const images = {
  png: path.join(dataDir, 'images', 'canopee-3840x2160.png'),
  jpeg: path.join(dataDir, 'images', 'flow-5120x2880.jpg'),
  webp: path.join(dataDir, 'images', 'truchet-l.webp'),
};

function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pindeck-node-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// The `export NAME=value` lines of the server's env file (values quoted by printf %q, which for
// these settings means plain words).
function s3Env() {
  const file = process.env.PINDECK_TEST_S3_ENV;
  if (!file) throw new Error('PINDECK_TEST_S3_ENV is not set: run the tests through ctest');
  const env = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^export (S3_[A-Z_]+)=(.*)$/.exec(line);
    if (match) env[match[1]] = match[2].replace(/^'(.*)'$/, '$1');
  }
  return env;
}

function s3Settings(overrides = {}) {
  const env = s3Env();
  return {
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    accessKey: env.S3_ACCESS_KEY,
    secretKey: env.S3_SECRET_KEY,
    ...overrides,
  };
}

// Persistence to the test bucket under a prefix of this test's own.
function persistenceConfig(overrides = {}) {
  return {
    bucket: s3Env().S3_BUCKET,
    keyPrefix: `node-${crypto.randomBytes(6).toString('hex')}`,
    s3: s3Settings(),
    pollIntervalMs: 50,
    ...overrides,
  };
}

// A client on a fresh data directory, closed before the directory is removed.
async function openClient(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pindeck-node-'));
  const client = await pindeck.Client.open(dir);
  t.after(async () => {
    await client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return client;
}

// A small WebP: one of the samples' derivatives (12 different images, cycled through by index).
let smallImages;
async function smallImage(index = 0) {
  smallImages ??= (async () => {
    const all = [];
    for (const file of Object.values(images)) {
      const derived = await pindeck.derive(file, { palette: false });
      for (const output of derived.outputs) all.push(output.data);
    }
    return all;
  })();
  const all = await smallImages;
  return all[index % all.length];
}

module.exports = { pindeck, images, tempDir, s3Env, s3Settings, persistenceConfig, openClient,
  smallImage };
